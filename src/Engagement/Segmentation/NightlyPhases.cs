using System.Globalization;

namespace Engagement.Segmentation;

public enum NightlyStartAction
{
    /// <summary>Write this new header and send every shard its stats work.</summary>
    Create,

    /// <summary>An unfinished run of the date: send the work of the shards that have not reported its phase.</summary>
    Resume,

    /// <summary>The date's run is complete: nothing to do.</summary>
    None,
}

public sealed record NightlyStart(NightlyStartAction Action, NightlyRunHeader Run);

public enum StatsReportedAction
{
    /// <summary>The run is still in stats: merge the histograms and move it to assign.</summary>
    Advance,

    /// <summary>Already in assign and this message was handed out before: the advancer may have been its first
    /// delivery, crashed before the fan-out, so send the assign work of the shards without a result (duplicates are harmless).</summary>
    EnsureAssignSent,

    /// <summary>Someone else advanced (or completed) the run.</summary>
    None,
}

/// <summary>
/// The nightly run's phases as pure decisions: <c>stats</c> -> <c>assign</c> -> <c>complete</c>. A run
/// moves on when every shard has reported the phase; the move is one conditional write of the header,
/// so the shard that wins it does the fan-out. Time comes in as an argument; storage is
/// <see cref="NightlyRunStore"/>'s.
/// </summary>
public static class NightlyPhases
{
    private static readonly HashSet<(string From, string To)> Moves =
    [
        (NightlyPhase.Stats, NightlyPhase.Assign),
        (NightlyPhase.Assign, NightlyPhase.Complete),
    ];

    /// <summary>The only moves of a run header: one phase forward at a time.</summary>
    public static bool IsAllowedMove(string from, string to) => Moves.Contains((from, to));

    /// <summary>yyyy-MM-dd for the first attempt, then yyyy-MM-dd.2, .3 for re-runs.</summary>
    public static string RunIdOf(DateOnly asOf, int attempt)
    {
        var date = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return attempt == 1 ? date : $"{date}.{attempt.ToString(CultureInfo.InvariantCulture)}";
    }

    public static int AttemptOf(string runId)
    {
        var dot = runId.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? 1 : int.Parse(runId.AsSpan(dot + 1), CultureInfo.InvariantCulture);
    }

    /// <param name="attempts">The headers of every attempt for <paramref name="asOf"/>.</param>
    public static NightlyStart Start(IEnumerable<NightlyRunHeader> attempts, DateOnly asOf, NightlyStartMode mode, int shards, DateTimeOffset now)
    {
        var latest = attempts.MaxBy(h => AttemptOf(h.RunId));
        if (mode == NightlyStartMode.StartOrResume && latest is not null)
        {
            return new NightlyStart(latest.IsComplete ? NightlyStartAction.None : NightlyStartAction.Resume, latest);
        }

        var attempt = latest is null ? 1 : AttemptOf(latest.RunId) + 1;
        return new NightlyStart(NightlyStartAction.Create, new NightlyRunHeader(RunIdOf(asOf, attempt), asOf, NightlyPhase.Stats, shards, now));
    }

    /// <summary>The most recent run: latest as-of date, then latest attempt.</summary>
    public static NightlyRunHeader? Latest(IEnumerable<NightlyRunHeader> headers) =>
        headers.MaxBy(h => (h.AsOf, AttemptOf(h.RunId)));

    public static bool AllReported(int reported, int shards) => reported >= shards;

    /// <summary>Every shard has reported its stats: what to do with the run, as its header says now.</summary>
    public static StatsReportedAction AfterStatsReported(NightlyRunHeader header, bool redelivered) =>
        header.Phase == NightlyPhase.Stats ? StatsReportedAction.Advance
        : redelivered && header.Phase == NightlyPhase.Assign ? StatsReportedAction.EnsureAssignSent
        : StatsReportedAction.None;

    /// <summary>The global cut-offs: the shards' histograms merged (exact, so the order of the shards does not matter).</summary>
    public static RfmCutoffs Cutoffs(IReadOnlyCollection<ShardStats> stats) => RfmCutoffs.From(
        ValueHistogram.Merge(stats.Select(s => s.R)),
        ValueHistogram.Merge(stats.Select(s => s.F)),
        ValueHistogram.Merge(stats.Select(s => s.M)));

    /// <summary>stats -> assign: the header with the cut-offs and the user counts of every shard's report.</summary>
    public static NightlyRunHeader Advance(NightlyRunHeader header, IReadOnlyCollection<ShardStats> stats, DateTimeOffset now)
    {
        Require(header, NightlyPhase.Stats);
        return header with
        {
            Phase = NightlyPhase.Assign,
            Cutoffs = Cutoffs(stats),
            Users = stats.Sum(s => s.Users),
            ScoredUsers = stats.Sum(s => s.Scored),
            AssignStartedAt = now,
        };
    }

    /// <summary>Every shard has reported a result: only a run still in assign completes (a late duplicate finds it complete).</summary>
    public static bool CanComplete(NightlyRunHeader header) => header.Phase == NightlyPhase.Assign;

    /// <summary>assign -> complete: the header with the totals of the shards' results.</summary>
    /// <param name="statsRequests">The storage requests of the stats phase, all shards.</param>
    public static NightlyRunHeader Complete(NightlyRunHeader header, IReadOnlyCollection<ShardResult> results, long statsRequests, DateTimeOffset now)
    {
        Require(header, NightlyPhase.Assign);
        var tierCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            foreach (var (tier, count) in result.TierCounts)
            {
                tierCounts[tier] = tierCounts.GetValueOrDefault(tier) + count;
            }
        }

        return header with
        {
            Phase = NightlyPhase.Complete,
            CompletedAt = now,
            TierCounts = tierCounts,
            ChangedUsers = results.Sum(r => r.Changed),
            Transitions = results.Sum(r => r.Transitions),
            StorageRequests = results.Sum(r => r.Requests) + statsRequests,
        };
    }

    /// <summary>The work of a phase for the given shards; assign work carries the cut-offs, so a shard needs no header read.</summary>
    public static IEnumerable<NightlyShardWork> Work(string runId, DateOnly asOf, string phase, IEnumerable<string> shards, RfmCutoffs? cutoffs, string? traceParent)
    {
        string[]? carried = cutoffs is null ? null : [cutoffs.R.ToString(), cutoffs.F.ToString(), cutoffs.M.ToString()];
        return shards.Select(s => new NightlyShardWork(runId, asOf, phase, s, carried, traceParent));
    }

    /// <summary>The cut-offs an assign message carries, or null (stats work, or an older message without them).</summary>
    public static RfmCutoffs? CarriedCutoffs(NightlyShardWork work) =>
        work.Phase == NightlyPhase.Assign && work.Cutoffs is [var r, var f, var m]
            ? new RfmCutoffs(QuintileCutoffs.Parse(r), QuintileCutoffs.Parse(f), QuintileCutoffs.Parse(m))
            : null;

    private static void Require(NightlyRunHeader header, string phase)
    {
        if (header.Phase != phase)
        {
            throw new InvalidOperationException($"run {header.RunId} is in phase '{header.Phase}', not '{phase}'");
        }
    }
}
