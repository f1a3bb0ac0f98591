using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Engagement.Playbooks;

/// <summary>
/// A playbook run as a campaign trigger (docs/contracts.md), written field by field in a fixed
/// order from nothing but the definition and the occurrence: the same run always gives the same
/// text, so a second enqueue (timer twice, catch-up, another instance, an operator) is a Duplicate
/// at the campaigns table, and a changed definition within a period is refused there rather than
/// sent twice.
/// </summary>
public static class PlaybookTrigger
{
    public static string Build(PlaybookDefinition definition, PlaybookOccurrence run)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteString("campaignId", run.RunId);
            json.WriteString("name", $"{run.Playbook} {run.Period}");
            json.WriteStartObject("audience");
            json.WriteStartArray("tiers");
            foreach (var tier in definition.Tiers)
            {
                json.WriteStringValue(tier);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("channels");
            foreach (var channel in definition.Channels)
            {
                json.WriteStartObject();
                json.WriteString("channel", channel.Channel);
                json.WriteString("template", channel.Template);
                if (channel.Title is { Length: > 0 } title)
                {
                    json.WriteString("title", title);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();

            // sendAt is the occurrence: a run asked for ahead of its time waits for it; a late one sends at once
            json.WriteString("sendAt", Timestamp(run.At));
            json.WriteString("expiresAt", Timestamp(run.At.AddDays(definition.ExpiresAfterDays)));
            json.WriteNumber("holdoutPercent", definition.HoldoutPercent);
            json.WriteString("holdoutKey", run.Playbook);
            if (definition.Coupons.Count > 0)
            {
                json.WriteStartArray("coupons");
                foreach (var coupon in definition.Coupons)
                {
                    json.WriteStartObject();
                    json.WriteString("item", coupon.Item);
                    json.WriteNumber("value", coupon.Value);
                    json.WriteString("currency", coupon.Currency);
                    json.WriteNumber("validDays", coupon.ValidDays);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static DateTimeOffset ExpiresAt(PlaybookDefinition definition, PlaybookOccurrence run) => run.At.AddDays(definition.ExpiresAfterDays);

    private static string Timestamp(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
