namespace Engagement.Segmentation;

/// <summary>What one shard's stats phase reported: its user counts and exact R/F/M histograms.</summary>
public sealed record ShardStats(long Users, long Scored, ValueHistogram R, ValueHistogram F, ValueHistogram M)
{
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
