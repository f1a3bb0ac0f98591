using System.Globalization;
using Engagement.Users;

namespace Engagement.Segmentation;

/// <summary>
/// A user's new standing, to merge into their row. <paramref name="TierSince"/> is the as-of date
/// (yyyy-MM-dd) when the tier changed; null when it did not, and then the column is not written, so
/// the stored date stands.
/// </summary>
/// <param name="ETag">The row's ETag as the stats phase read it (null: unknown, the write is unconditional).</param>
public sealed record StandingChange(string UserId, RfmScores Scores, string Tier, string? TierSince, string? ETag = null);

/// <summary>A move from one tier to another; <paramref name="From"/> is "" for a user's first tier.</summary>
public sealed record TierTransition(string UserId, string From, string To, RfmScores Scores);

/// <summary>One user's decision: the scores and tier they get, what to write (null: nothing changed) and the transition (null: same tier).</summary>
public sealed record StandingDecision(RfmScores Scores, string Tier, StandingChange? Change, TierTransition? Transition);

/// <summary>
/// The assign phase of one shard, pure: every user scored against the run's cut-offs and tiered;
/// only users whose scores or tier changed are written, and a tier change is a transition.
/// </summary>
public sealed record ShardAssignment(long Users, IReadOnlyDictionary<string, long> TierCounts, IReadOnlyList<StandingChange> Changes, IReadOnlyList<TierTransition> Transitions)
{
    /// <summary>What the shard reports (counts per tier include the tiers nobody is in).</summary>
    public ShardResult Result => new(Users, Changes.Count, Transitions.Count, TierCounts);

    public static StandingDecision Decide(SnapshotUser user, RfmCutoffs cutoffs, TierClassifier classifier, DateOnly asOf)
    {
        var scores = cutoffs.Score(user.Values);
        var tier = classifier.Classify(user.Values, scores, user.RegisteredOn, asOf);
        var old = user.Standing;
        if (old is not null && old.Scores == scores && old.Tier == tier)
        {
            return new StandingDecision(scores, tier, null, null);
        }

        if (old?.Tier == tier)
        {
            return new StandingDecision(scores, tier, new StandingChange(user.UserId, scores, tier, null, user.ETag), null);
        }

        var asOfText = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new StandingDecision(scores, tier, new StandingChange(user.UserId, scores, tier, asOfText, user.ETag), new TierTransition(user.UserId, old?.Tier ?? "", tier, scores));
    }

    public static ShardAssignment Of(IEnumerable<SnapshotUser> users, RfmCutoffs cutoffs, TierClassifier classifier, DateOnly asOf)
    {
        var tierCounts = classifier.Tiers.ToDictionary(t => t, _ => 0L, StringComparer.Ordinal);
        var changes = new List<StandingChange>();
        var transitions = new List<TierTransition>();
        long count = 0;
        foreach (var u in users)
        {
            count++;
            var decision = Decide(u, cutoffs, classifier, asOf);
            tierCounts[decision.Tier]++;
            if (decision.Change is { } change)
            {
                changes.Add(change);
            }

            if (decision.Transition is { } transition)
            {
                transitions.Add(transition);
            }
        }

        return new ShardAssignment(count, tierCounts, changes, transitions);
    }

    /// <summary>
    /// The snapshot with the standings stored now (a redelivered assign: an earlier delivery may have
    /// written some, so diffing against them writes only what is left). Users not found keep theirs.
    /// </summary>
    public static List<SnapshotUser> WithStoredStandings(IReadOnlyList<SnapshotUser> snapshot, IReadOnlyDictionary<string, RfmStanding?> stored) =>
        [.. snapshot.Select(u => stored.TryGetValue(u.UserId, out var standing) ? u with { Standing = standing } : u)];

    /// <summary>Users moved out of <paramref name="dormantTier"/> (the catch-all), per tier they moved to.</summary>
    public IEnumerable<(string Tier, int Users)> ReactivatedFrom(string dormantTier) =>
        Transitions.Where(t => t.From == dormantTier).GroupBy(t => t.To, StringComparer.Ordinal).Select(g => (g.Key, g.Count()));
}
