using System.ComponentModel.DataAnnotations;

namespace Engagement.Campaigns;

public sealed class CampaignOptions
{
    public const string SectionName = "Campaigns";

    /// <summary>Explicit user ids in one trigger, at most (bigger audiences are tiers plus filters).</summary>
    [Range(1, 50_000)]
    public int MaxUserIds { get; set; } = 5_000;

    /// <summary>Characters in one template, at most.</summary>
    [Range(1, 30_000)]
    public int MaxTemplateChars { get; set; } = 2_000;
}
