using System.Text.Json.Serialization;
using Engagement.Delivery;

namespace Engagement.Campaigns;

/// <summary>
/// A validated campaign trigger from the <c>campaign-triggers</c> queue (contract: docs/contracts.md).
/// Built only by <see cref="CampaignTriggerParser"/>, so every instance is valid.
/// </summary>
public sealed record CampaignTrigger(
    string CampaignId,
    string Name,
    CampaignAudience Audience,
    IReadOnlyList<ChannelTemplate> Channels,
    DateTimeOffset? SendAt,
    DateTimeOffset? ExpiresAt,
    int HoldoutPercent,
    bool DryRun,
    IReadOnlyDictionary<string, string> Variables)
{
    /// <summary>What the holdout draw hashes with the user id: the campaign id unless the trigger names another, so a
    /// playbook's runs (one campaign a month) keep each user in the same group month after month.</summary>
    public string HoldoutKey { get; init; } = CampaignId;

    /// <summary>Coupons issued at planning to every recipient not held out, once per (campaign, user, item).</summary>
    public IReadOnlyList<CouponOffer> Coupons { get; init; } = [];

    /// <summary>
    /// Whether its messages count toward, and are held to, the per-user cap across channels (default). Off only for the
    /// steps of a programme the user is in (the wake-up plan's daily task): consent, quiet hours and expiry still apply.
    /// </summary>
    public bool FrequencyCap { get; init; } = true;

    /// <summary>What the delivery pipeline needs of it (the audience and holdout are already in the ledger by then).</summary>
    public DeliveryOrder ToOrder() => new(CampaignId, Name, Channels, SendAt, ExpiresAt, DryRun, Variables) { IssuesCoupons = Coupons.Count > 0, FrequencyCap = FrequencyCap };
}

/// <summary>A coupon a campaign gives each recipient: valid from the campaign's send time for <paramref name="ValidDays"/> days.</summary>
public sealed record CouponOffer(string Item, decimal Value, string Currency, int ValidDays)
{
    /// <summary>The trigger's <c>coupons</c> array as producers that build trigger text write it (fixed field order, so the same offers give the same text).</summary>
    public static void WriteArray(System.Text.Json.Utf8JsonWriter json, IEnumerable<CouponOffer> coupons)
    {
        json.WriteStartArray("coupons");
        foreach (var coupon in coupons)
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
}

/// <summary>Who: users in any of <see cref="Tiers"/> or listed in <see cref="UserIds"/>, then narrowed by <see cref="Interests"/> and <see cref="Levels"/> when given.</summary>
public sealed record CampaignAudience(IReadOnlyList<string> Tiers, IReadOnlyList<string> UserIds, IReadOnlyList<string> Interests)
{
    /// <summary>Growth levels to keep (a user without a level is level 1); null: every level.</summary>
    public LevelRange? Levels { get; init; }
}

/// <summary>Growth levels <see cref="Min"/> to <see cref="Max"/>, both included (1-8).</summary>
public sealed record LevelRange(int Min, int Max)
{
    public const int Lowest = 1;
    public const int Highest = 8;

    public bool Contains(int level) => level >= Min && level <= Max;

    public override string ToString() => Min == Max ? $"level {Min}" : $"levels {Min}-{Max}";
}

/// <summary>The wire shape, as producers send it (camelCase JSON). Everything optional here; the parser says what is missing.</summary>
internal sealed class CampaignTriggerDto
{
    public int? SchemaVersion { get; set; }
    public string? CampaignId { get; set; }
    public string? Name { get; set; }
    public AudienceDto? Audience { get; set; }
    public List<ChannelDto?>? Channels { get; set; }
    public string? SendAt { get; set; }
    public string? ExpiresAt { get; set; }
    public int? HoldoutPercent { get; set; }
    public bool? DryRun { get; set; }
    public Dictionary<string, string?>? Variables { get; set; }
    public string? HoldoutKey { get; set; }
    public List<CouponDto?>? Coupons { get; set; }
    public bool? FrequencyCap { get; set; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

internal sealed class AudienceDto
{
    public List<string?>? Tiers { get; set; }
    public List<string?>? UserIds { get; set; }
    public List<string?>? Interests { get; set; }
    public LevelsDto? Levels { get; set; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

internal sealed class LevelsDto
{
    public int? Min { get; set; }
    public int? Max { get; set; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

internal sealed class CouponDto
{
    public string? Item { get; set; }
    public decimal? Value { get; set; }
    public string? Currency { get; set; }
    public int? ValidDays { get; set; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

internal sealed class ChannelDto
{
    public string? Channel { get; set; }
    public string? Template { get; set; }
    public string? Title { get; set; }
    public bool? Fallback { get; set; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(CampaignTriggerDto))]
internal sealed partial class CampaignJsonContext : JsonSerializerContext;
