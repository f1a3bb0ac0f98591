using System.Globalization;
using System.Text;
using System.Text.Json;
using Engagement.Delivery;

namespace Engagement.WakeUp;

/// <summary>
/// One batch of claimed steps as a campaign trigger (docs/contracts.md): the users who get step k with the same task and
/// the same end of local day, by push, or in-app when push cannot reach them (a <c>fallback</c> channel). The text is
/// a function of the stored steps only, so a batch found half handed-off after a crash is handed off again with the
/// same text, which the campaigns table answers as a duplicate.
/// </summary>
public static class WakeUpTrigger
{
    /// <summary>Users per batch: the trigger's id list stays far below the queue's and the table's 64 KiB.</summary>
    public const int MaxUsers = 1000;

    /// <summary>The campaign id of a new batch: step, claim minute and a random part (two instances claiming at once get two batches).</summary>
    public static string NewBatchId(int step, DateTimeOffset claimedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"wakeup-{claimedAt.UtcDateTime:yyyyMMddHHmm}-s{step}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}");

    /// <param name="steps">The batch's steps: one step number, one task, one closing instant.</param>
    /// <param name="push">Whether a push provider is configured (otherwise in-app only).</param>
    public static string Build(string batchId, IReadOnlyList<WakeUpStepRow> steps, string title, bool push)
    {
        var first = steps[0].Step;
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteString("campaignId", batchId);
            json.WriteString("name", $"wake-up step {first.Number}: {first.Task.Kind}");
            json.WriteStartObject("audience");
            json.WriteStartArray("userIds");
            foreach (var user in steps.Select(s => s.UserId).Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(user);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("channels");
            if (push)
            {
                Channel(json, Channels.Push, title, first.Task.Template, fallback: false);
            }

            Channel(json, Channels.InApp, title, first.Task.Template, fallback: push);
            json.WriteEndArray();
            json.WriteString("expiresAt", first.Time.ClosesAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteBoolean("frequencyCap", false); // a daily step of a plan the user is in, not marketing on top of it
            json.WriteStartObject("variables");
            json.WriteString("task_points", first.Task.Points.ToString(CultureInfo.InvariantCulture));
            json.WriteString("task_kind", first.Task.Kind);
            json.WriteString("step", first.Number.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The steps that go in one batch: same step number, task and closing instant.</summary>
    public static string GroupOf(WakeUpStep step) =>
        string.Create(CultureInfo.InvariantCulture, $"{step.Number}|{step.Time.ClosesAt.UtcTicks}|{JsonSerializer.Serialize(step.Task)}");

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
}
