using System.Text.Json.Serialization;

namespace Engagement.Campaigns;

/// <summary>
/// A validated campaign trigger from the <c>campaign-triggers</c> queue (contract: docs/contracts.md).
/// Built only by <see cref="CampaignTriggerParser"/>, so every instance is valid.
/// </summary>
public sealed record CampaignTrigger(
    string CampaignId,
    string Name,
    CampaignAudience Audience,
    IReadOnlyList<CampaignChannel> Channels,
    DateTimeOffset? SendAt,
    DateTimeOffset? ExpiresAt,
    int HoldoutPercent,
    bool DryRun,
    IReadOnlyDictionary<string, string> Variables);

/// <summary>Who: users in any of <see cref="Tiers"/> or listed in <see cref="UserIds"/>, then narrowed by <see cref="Interests"/> when given.</summary>
public sealed record CampaignAudience(IReadOnlyList<string> Tiers, IReadOnlyList<string> UserIds, IReadOnlyList<string> Interests);

/// <summary>One channel of a campaign with its Liquid template (and a title for push and in-app).</summary>
public sealed record CampaignChannel(string Channel, string Template, string? Title);

public static class Channels
{
    public const string Sms = "sms";
    public const string Push = "push";
    public const string InApp = "inapp";

    public static readonly IReadOnlyList<string> All = [Sms, Push, InApp];
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

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

internal sealed class AudienceDto
{
    public List<string?>? Tiers { get; set; }
    public List<string?>? UserIds { get; set; }
    public List<string?>? Interests { get; set; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

internal sealed class ChannelDto
{
    public string? Channel { get; set; }
    public string? Template { get; set; }
    public string? Title { get; set; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(CampaignTriggerDto))]
internal sealed partial class CampaignJsonContext : JsonSerializerContext;
