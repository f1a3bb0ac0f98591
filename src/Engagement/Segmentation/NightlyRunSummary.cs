namespace Engagement.Segmentation;

/// <summary>What a nightly run did: the run header, read back for the CLI and reports.</summary>
public sealed record NightlyRunSummary(
    string RunId,
    DateOnly AsOf,
    string Phase,
    int Shards,
    int ShardsReported,
    DateTimeOffset StartedAt,
    DateTimeOffset? AssignStartedAt,
    DateTimeOffset? CompletedAt,
    RfmCutoffs? Cutoffs,
    IReadOnlyDictionary<string, long> TierCounts,
    long Users,
    long ScoredUsers,
    long ChangedUsers,
    long Transitions,
    long StorageRequests)
{
    public bool IsComplete => Phase == NightlyPhase.Complete;

    public TimeSpan? Duration => CompletedAt - StartedAt;
}
