using Engagement.Users;
using Microsoft.Extensions.Options;

namespace Engagement.Segmentation;

/// <summary>Evaluates the configured tier rules. Pure; one instance per process.</summary>
public sealed class TierClassifier
{
    private readonly TierRule[] _rules;
    private readonly NoHistoryRule _noHistory;

    public TierClassifier(IOptions<SegmentationOptions> options)
        : this(options.Value)
    {
    }

    public TierClassifier(SegmentationOptions options)
    {
        _rules = [.. options.Rules];
        _noHistory = options.NoHistory;
        Tiers = _rules.Select(r => r.Tier).ToArray();
    }

    /// <summary>Tier names, best first.</summary>
    public IReadOnlyList<string> Tiers { get; }

    /// <summary>0 is the best tier.</summary>
    public int RankOf(string tier) => Array.FindIndex(_rules, r => r.Tier == tier);

    public string Classify(RfmScores scores)
    {
        foreach (var rule in _rules)
        {
            if (rule.Matches(scores))
            {
                return rule.Tier;
            }
        }

        return _rules[^1].Tier; // validated to be a catch-all
    }

    /// <param name="registeredOn">The registration date in the ops team's calendar (see ActivityCalendar.DateOf), if known.</param>
    public string Classify(RfmValues values, RfmScores scores, DateOnly? registeredOn, DateOnly asOf)
    {
        if (values.HasHistory)
        {
            return Classify(scores);
        }

        var recent = registeredOn is { } on && asOf.DayNumber - on.DayNumber <= _noHistory.RecentDays;
        return recent ? _noHistory.RecentTier : _noHistory.OtherwiseTier;
    }
}
