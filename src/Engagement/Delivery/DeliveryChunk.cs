using System.Text.Json;
using System.Text.Json.Serialization;
using Engagement.Messaging;

namespace Engagement.Delivery;

/// <summary>
/// A <c>deliveries</c> message: the recipients of one campaign in one shard whose user ids lie in
/// [<see cref="From"/>, <see cref="To"/>] (ordinal). Their ledger rows are one range per channel.
/// <see cref="TraceParent"/>: the campaign's trace (W3C), continued by the worker's span.
/// </summary>
public sealed record DeliveryChunk(string CampaignId, string Shard, string From, string To, int Occurrence = 1, string? TraceParent = null)
{
    public string ToJson() => JsonSerializer.Serialize(this, DeliveryJsonContext.Default.DeliveryChunk);

    public static DeliveryChunk Parse(string json)
    {
        try
        {
            var chunk = JsonSerializer.Deserialize(json, DeliveryJsonContext.Default.DeliveryChunk);
            return chunk is { CampaignId.Length: > 0, Shard.Length: > 0, From.Length: > 0, To.Length: > 0 } && string.CompareOrdinal(chunk.From, chunk.To) <= 0
                ? chunk
                : throw new MalformedMessageException("a deliveries message needs campaignId, shard, from <= to");
        }
        catch (JsonException ex)
        {
            throw new MalformedMessageException($"invalid JSON: {ex.Message}", ex);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeliveryChunk))]
internal sealed partial class DeliveryJsonContext : JsonSerializerContext;
