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
