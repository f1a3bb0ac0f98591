using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;

namespace Engagement.Content;

/// <summary>
/// One campaign of a weekly content run as a campaign trigger (docs/contracts.md): the listed users who get one item, by
/// push, or in-app when push cannot reach them. The text is a function of the run, the item and the recorded users only,
/// so a campaign handed off again after a crash has the same text, which the campaigns table answers as a duplicate.
/// </summary>
public static partial class ContentTrigger
{
    /// <summary>Users per campaign, as the wake-up's batches (<c>WakeUpTrigger.MaxUsers</c>): far below the trigger's id limit (5,000) and the queue's 64 KiB.</summary>
    public const int MaxUsers = 1000;

    /// <summary>How every content campaign id starts (the run id is <c>content-{period}</c>): what tells an opened delivery is content.</summary>
    public const string CampaignPrefix = ContentWeeklyRun.Playbook + "-";

    /// <summary>The trigger variable that names the item (read back by the interactions' check and the inbox's mark-read).</summary>
    public const string ContentIdVariable = "content_id";

    /// <summary>
    /// <c>content-2026-W49-recipe-1-0</c>: the run id, the item id and the chunk. An item id that is not campaign-id text
    /// (or is longer than 36 characters) is named by a hash of it instead, so the id stays valid and fixed.
    /// </summary>
    public static string CampaignId(string runId, string itemId, int chunk)
    {
        var item = SafeItem().IsMatch(itemId)
            ? itemId
            : "h" + Convert.ToHexStringLower(XxHash64.Hash(Encoding.UTF8.GetBytes(itemId)));
        return string.Create(CultureInfo.InvariantCulture, $"{RunPrefix(runId)}{item}-{chunk}");
    }

    /// <summary>How every campaign id of the run starts: the run's deliveries are one key range (the outcomes read them so).</summary>
    public static string RunPrefix(string runId) => runId + "-";

    /// <param name="push">Whether a push provider is configured (otherwise in-app only).</param>
    /// <param name="maxTemplateChars">The pipeline's template limit (<c>Campaigns:MaxTemplateChars</c>): a longer body is cut, ending with '…'.</param>
    public static string Build(string campaignId, string period, ContentItem item, IEnumerable<string> userIds, DateTimeOffset expiresAt, bool push, int maxTemplateChars)
    {
        // the body goes out as written: Liquid in an item's text is not a template
        const string Open = "{% raw %}", Close = "{% endraw %}";
        var room = maxTemplateChars - Open.Length - Close.Length;
        var body = item.Body.Length <= room ? item.Body : item.Body[..Math.Max(0, room - 1)] + "…";
        var template = body.Length > 0 ? Open + body + Close : "{{ content_title }}";
        (string, string)[] variables = item.DeepLink.Length <= MaxVariable
            ? [(ContentIdVariable, item.Id), ("content_title", item.Title), ("deep_link", item.DeepLink)]
            : [(ContentIdVariable, item.Id), ("content_title", item.Title)];
        return Campaigns.ListedUsersTrigger.Build(campaignId, $"content {period}", userIds, item.Title, template, push, expiresAt, frequencyCap: true, variables);
    }

    /// <summary>A campaign variable's longest value; a longer deep link is left out of the variables (the app opens the item by its id).</summary>
    private const int MaxVariable = 500;

    // 64 characters at most: "content-2026-W49-" (17) + item + "-" + a chunk of up to 4 digits
    [GeneratedRegex("^[A-Za-z0-9._-]{1,36}$")]
    private static partial Regex SafeItem();
}
