namespace Engagement.Segmentation;

/// <summary>
/// A run's header, typed (stored by <see cref="NightlyRunStore"/>, one row per run). What a phase
/// adds is null until then: the end of the stats phase adds the cut-offs and the user counts,
/// completion the totals. A null is not written, so each phase's row has exactly its columns.
/// </summary>
public sealed record NightlyRunHeader(string RunId, DateOnly AsOf, string Phase, int Shards, DateTimeOffset StartedAt)
{
    public DateTimeOffset? AssignStartedAt { get; init; }

    public RfmCutoffs? Cutoffs { get; init; }

    public long? Users { get; init; }

    public long? ScoredUsers { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public IReadOnlyDictionary<string, long>? TierCounts { get; init; }

    public long? ChangedUsers { get; init; }

    public long? Transitions { get; init; }

    public long? StorageRequests { get; init; }

    public bool IsComplete => Phase == NightlyPhase.Complete;

    public NightlyRunSummary Summary(int shardsReported) => new(
        RunId,
        AsOf,
        Phase,
        Shards,
        shardsReported,
        StartedAt,
        AssignStartedAt,
        CompletedAt,
        Cutoffs,
        TierCounts ?? new Dictionary<string, long>(),
        Users ?? 0,
        ScoredUsers ?? 0,
        ChangedUsers ?? 0,
        Transitions ?? 0,
        StorageRequests ?? 0);
}

/// <summary>What one shard's stats phase reported: its user counts and exact R/F/M histograms.</summary>
public sealed record ShardStats(long Users, long Scored, ValueHistogram R, ValueHistogram F, ValueHistogram M)
{
    /// <summary>Storage requests the shard's stats message made (as read back; not written from here).</summary>
    public long Requests { get; init; }

    /// <summary>Counts and histograms of the users as the stats phase read them; users without history are not scored.</summary>
    public static ShardStats Of(IEnumerable<SnapshotUser> users)
    {
        var r = new Dictionary<long, long>();
        var f = new Dictionary<long, long>();
        var m = new Dictionary<long, long>();
        long count = 0, scored = 0;
        foreach (var u in users)
        {
            count++;
            if (!u.Values.HasHistory)
            {
                continue;
            }

            scored++;
            Increment(r, u.Values.RecencyDays);
            Increment(f, u.Values.Frequency);
            Increment(m, u.Values.MonetaryMinor);
        }

        return new ShardStats(count, scored, ValueHistogram.FromCounts(r), ValueHistogram.FromCounts(f), ValueHistogram.FromCounts(m));
    }

    private static void Increment(Dictionary<long, long> counts, long value) =>
        counts[value] = counts.GetValueOrDefault(value) + 1;
}

/// <summary>What one shard's assign phase reported.</summary>
public sealed record ShardResult(long Users, long Changed, long Transitions, IReadOnlyDictionary<string, long> TierCounts)
{
    /// <summary>Storage requests the shard's assign message made (as read back; not written from here).</summary>
    public long Requests { get; init; }
}
