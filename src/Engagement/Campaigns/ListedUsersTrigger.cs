using System.Globalization;
using System.Text;
using System.Text.Json;
using Engagement.Delivery;

namespace Engagement.Campaigns;

/// <summary>
/// The text of a trigger for listed users, by push or in-app when push cannot reach them (docs/contracts.md,
/// <c>channels[].fallback</c>), as the programmes that hand the pipeline their own batches write it (the wake-up's steps,
/// the weekly content): fields in a fixed order and users sorted, so the same inputs always give the same text and a
/// batch handed off again is a duplicate at the campaigns table.
/// </summary>
public static class ListedUsersTrigger
{
    /// <param name="push">Whether a push provider is configured; without one the message goes in-app alone, not as a fallback.</param>
    /// <param name="frequencyCap">False only for a programme's steps the user is in (docs/contracts.md, <c>frequencyCap</c>).</param>
    /// <param name="variables">Template variables, written in the order given.</param>
    public static string Build(
        string campaignId,
        string name,
        IEnumerable<string> userIds,
        string title,
        string template,
        bool push,
        DateTimeOffset expiresAt,
        bool frequencyCap,
        IEnumerable<(string Name, string Value)> variables)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteString("campaignId", campaignId);
            json.WriteString("name", name);
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
                Channel(json, Channels.Push, title, template, fallback: false);
            }

            Channel(json, Channels.InApp, title, template, fallback: push);
            json.WriteEndArray();
            json.WriteString("expiresAt", expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            if (!frequencyCap)
            {
                json.WriteBoolean("frequencyCap", false);
            }

            json.WriteStartObject("variables");
            foreach (var (variable, value) in variables)
            {
                json.WriteString(variable, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

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
