using System.Text.Json;
using System.Text.Json.Serialization;
using Engagement.Messaging;

namespace Engagement.Callbacks;

public static class CallbackKinds
{
    /// <summary>Twilio's status callback for one message (queued, sent, delivered, undelivered, failed).</summary>
    public const string TwilioStatus = "twilio-status";

    /// <summary>An SMS a user sent to our number (STOP, 退订, or anything else).</summary>
    public const string TwilioInbound = "twilio-inbound";
}

/// <summary>
/// A <c>provider-callbacks</c> message: a webhook request whose signature was checked, as received
/// (the URL it was sent to and its form fields), so the handler can be retried and replayed.
/// </summary>
public sealed record ProviderCallback(string Kind, string Url, Dictionary<string, string> Form, DateTimeOffset ReceivedAt)
{
    public string ToJson() => JsonSerializer.Serialize(this, CallbackJsonContext.Default.ProviderCallback);

    public string Field(string name) =>
        Form.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : throw new MalformedMessageException($"{Kind} callback without {name}");

    public string? Optional(string name) => Form.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    public static ProviderCallback Parse(string json)
    {
        try
        {
            var callback = JsonSerializer.Deserialize(json, CallbackJsonContext.Default.ProviderCallback);
            return callback is { Kind: CallbackKinds.TwilioStatus or CallbackKinds.TwilioInbound, Url.Length: > 0, Form: not null }
                ? callback
                : throw new MalformedMessageException($"a provider-callbacks message needs kind ({CallbackKinds.TwilioStatus} or {CallbackKinds.TwilioInbound}), url and form");
        }
        catch (JsonException ex)
        {
            throw new MalformedMessageException($"invalid JSON: {ex.Message}", ex);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProviderCallback))]
internal sealed partial class CallbackJsonContext : JsonSerializerContext;
