using System.Diagnostics;
using Engagement.Storage;

namespace Engagement.Segmentation;

/// <summary>What one shard message costs: the storage requests of its own async flow, and its time. A shard's report carries both.</summary>
public sealed class NightlyShardMeter : IDisposable
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly StorageRequestCounter.Scope _scope = StorageRequestCounter.BeginScope();

    public long Requests => _scope.Count;

    public long ElapsedMs => (long)Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

    public void Dispose() => _scope.Dispose();
}
