using System.ComponentModel.DataAnnotations;
using Engagement.Activity;
using Engagement.Users;

namespace Engagement.Segmentation;

/// <summary>
/// RFM windows and the tier rules. Tier rules are data: an ordered list, best tier first, each a
/// set of minimum scores; the first rule a user meets is their tier and the last rule must take
/// everyone. Minimums only (no maximums) is what makes tiers monotone: a user at least as good on
/// R, F and M as another never lands in a lower tier.
/// </summary>
public sealed class SegmentationOptions : IValidatableObject
{
    public const string SectionName = "Segmentation";

    [Range(1, ActivityAggregate.RetentionDays)]
    public int FrequencyWindowDays { get; set; } = 90;

    [Range(1, ActivityAggregate.RetentionDays)]
    public int MonetaryWindowDays { get; set; } = 365;

    /// <summary>Defaults tuned so the demo population lands on the playbook's 15/30/40/15.</summary>
    public static IReadOnlyList<TierRule> DefaultTiers { get; } =
    [
        new() { Tier = "high-value", MinTotal = 14, TargetShare = 0.15 },
        new() { Tier = "potential", MinTotal = 9, TargetShare = 0.30 },
        new() { Tier = "regular", MinTotal = 4, TargetShare = 0.40 },
        new() { Tier = "dormant", TargetShare = 0.15 },
    ];

    /// <summary>
    /// Configured rules; empty means <see cref="DefaultTiers"/>. (Not pre-filled: the configuration
    /// binder appends to a pre-filled list instead of replacing it.)
    /// </summary>
    public List<TierRule> Tiers { get; set; } = [];

    /// <summary>The rules in force.</summary>
    public IReadOnlyList<TierRule> Rules => Tiers.Count > 0 ? Tiers : DefaultTiers;

    /// <summary>Users with no activity at all are not scored (scores 0); this decides their tier.</summary>
    public NoHistoryRule NoHistory { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var rules = Rules;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (string.IsNullOrWhiteSpace(rule.Tier))
            {
                yield return new ValidationResult("Every Segmentation:Tiers rule needs a Tier name.", [nameof(Tiers)]);
            }
            else if (!names.Add(rule.Tier))
            {
                yield return new ValidationResult($"Tier '{rule.Tier}' appears twice in Segmentation:Tiers.", [nameof(Tiers)]);
            }

            if (rule.MinR is < 1 or > 5 || rule.MinF is < 1 or > 5 || rule.MinM is < 1 or > 5 || rule.MinTotal is < 0 or > 15)
            {
                yield return new ValidationResult($"Tier '{rule.Tier}': MinR/MinF/MinM must be 1-5 and MinTotal 0-15.", [nameof(Tiers)]);
            }
        }

        if (!rules[^1].IsCatchAll)
        {
            yield return new ValidationResult($"The last Segmentation:Tiers rule ('{rules[^1].Tier}') must take every user: no minimums.", [nameof(Tiers)]);
        }

        // nested options are not walked by ValidateDataAnnotations
        if (NoHistory.RecentDays is < 0 or > 3650)
        {
            yield return new ValidationResult("Segmentation:NoHistory:RecentDays must be 0-3650.", [nameof(NoHistory)]);
        }

        foreach (var tier in new[] { NoHistory.RecentTier, NoHistory.OtherwiseTier })
        {
            if (!names.Contains(tier))
            {
                yield return new ValidationResult($"Segmentation:NoHistory names tier '{tier}', which no rule defines.", [nameof(NoHistory)]);
            }
        }
    }
}

public sealed class TierRule
{
    public string Tier { get; set; } = "";

    public int MinR { get; set; } = 1;

    public int MinF { get; set; } = 1;

    public int MinM { get; set; } = 1;

    /// <summary>Minimum of R+F+M.</summary>
    public int MinTotal { get; set; }

    /// <summary>The share of users the ops plan expects in this tier (reports show the gap); not used to assign.</summary>
    public double? TargetShare { get; set; }

    public bool IsCatchAll => MinR <= 1 && MinF <= 1 && MinM <= 1 && MinTotal <= 3;

    public bool Matches(RfmScores s) => s.R >= MinR && s.F >= MinF && s.M >= MinM && s.Total >= MinTotal;
}

/// <summary>
/// A user who registered but never did anything: a new sign-up is the wake-up playbook's
/// audience ("potential"); one who registered long ago and never came is dormant.
/// </summary>
public sealed class NoHistoryRule
{
    [Range(0, 3650)]
    public int RecentDays { get; set; } = 30;

    public string RecentTier { get; set; } = "potential";

    public string OtherwiseTier { get; set; } = "dormant";
}
