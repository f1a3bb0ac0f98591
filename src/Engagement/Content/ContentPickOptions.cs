using Engagement.Activity;

namespace Engagement.Content;

/// <summary>How much one activity event of each type adds to its category's interest weight (0: the type shows no interest).</summary>
public sealed class ContentPickWeights
{
    public double Purchase { get; set; } = 5;

    public double Interaction { get; set; } = 1;

    /// <summary>0 by default: a login says nothing about what the user likes.</summary>
    public double Login { get; set; }
}

/// <summary>
/// The <c>Content:Pick</c> section (issue 13): interest profiles from activity events, decayed with a half-life, and the
/// weekly pick's repeat window. Beside the catalogue's own <c>Content</c> settings, not inside them, so each side binds
/// and validates its own class.
/// </summary>
public sealed class ContentPickOptions
{
    public const string SectionName = "Content:Pick";

    public ContentPickWeights Weights { get; set; } = new();

    /// <summary>Days after which an interest weight counts half (weight * 0.5^(days / half-life)).</summary>
    public double HalfLifeDays { get; set; } = 30;

    /// <summary>An item sent to a user is not picked for them again within this many weeks.</summary>
    public int RepeatWindowWeeks { get; set; } = 12;

    public TimeSpan RepeatWindow => TimeSpan.FromDays(7.0 * RepeatWindowWeeks);

    /// <summary>The weight of one event of <paramref name="type"/>; a referral shows no interest (it has no category).</summary>
    public double WeightOf(ActivityType type) => type switch
    {
        ActivityType.Purchase => Weights.Purchase,
        ActivityType.Interaction => Weights.Interaction,
        ActivityType.Login => Weights.Login,
        _ => 0,
    };
}
