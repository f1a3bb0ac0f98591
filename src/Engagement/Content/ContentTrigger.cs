using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engagement.Delivery;

namespace Engagement.Content;

/// <summary>
/// One campaign of a weekly content run as a campaign trigger (docs/contracts.md): the listed users who get one item, by
/// push, or in-app when push cannot reach them. The text is a function of the run, the item and the recorded users only,
/// so a campaign handed off again after a crash has the same text, which the campaigns table answers as a duplicate.
/// </summary>
public static partial class ContentTrigger
{
    /// <summary>Users per campaign, as the wake-up's batches: far below the trigger's id limit and the queue's 64 KiB.</summary>
    public const int MaxUsers = WakeUp.WakeUpTrigger.MaxUsers;

    /// <summary>
    /// <c>content-2026-W49-recipe-1-0</c>: the run id, the item id and the chunk. An item id that is not campaign-id text
    /// (or is longer than 36 characters) is named by a hash of it instead, so the id stays valid and fixed.
    /// </summary>
    public static string CampaignId(string runId, string itemId, int chunk)
    {
        var item = SafeItem().IsMatch(itemId)
            ? itemId
            : "h" + Convert.ToHexStringLower(XxHash64.Hash(Encoding.UTF8.GetBytes(itemId)));
        return string.Create(CultureInfo.InvariantCulture, $"{runId}-{item}-{chunk}");
    }

    /// <param name="push">Whether a push provider is configured (otherwise in-app only).</param>
    /// <param name="maxTemplateChars">The pipeline's template limit (<c>Campaigns:MaxTemplateChars</c>): a longer body is cut, ending with '…'.</param>
    public static string Build(string campaignId, string period, ContentItem item, IEnumerable<string> userIds, DateTimeOffset expiresAt, bool push, int maxTemplateChars)
    {
        // the body goes out as written: Liquid in an item's text is not a template
        const string Open = "{% raw %}", Close = "{% endraw %}";
        var room = maxTemplateChars - Open.Length - Close.Length;
        var body = item.Body.Length <= room ? item.Body : item.Body[..Math.Max(0, room - 1)] + "…";
        var template = body.Length > 0 ? Open + body + Close : "{{ content_title }}";
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteString("campaignId", campaignId);
            json.WriteString("name", $"content {period}");
            json.WriteStartObject("audience");
            json.WriteStartArray("userIds");
            foreach (var user in userIds.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(user);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("channels");
            if (push)
            {
                Channel(json, Channels.Push, item.Title, template, fallback: false);
            }

            Channel(json, Channels.InApp, item.Title, template, fallback: push);
            json.WriteEndArray();
            json.WriteString("expiresAt", expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteStartObject("variables");
            json.WriteString("content_id", item.Id);
            json.WriteString("content_title", item.Title);
            if (item.DeepLink.Length <= MaxVariable)
            {
                json.WriteString("deep_link", item.DeepLink);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A campaign variable's longest value; a longer deep link is left out of the variables (the app opens the item by its id).</summary>
    private const int MaxVariable = 500;

    private static void Channel(Utf8JsonWriter json, string channel, string title, string template, bool fallback)
    {
        json.WriteStartObject();
        json.WriteString("channel", channel);
        json.WriteString("title", title);
        json.WriteString("template", template);
        if (fallback)
        {
            json.WriteBoolean("fallback", true);
        }

        json.WriteEndObject();
    }

    // 64 characters at most: "content-2026-W49-" (17) + item + "-" + a chunk of up to 4 digits
    [GeneratedRegex("^[A-Za-z0-9._-]{1,36}$")]
    private static partial Regex SafeItem();
}
