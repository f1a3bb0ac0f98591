using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Engagement.Storage;

/// <summary>One storage request that took long, for a benchmark's report.</summary>
public sealed record SlowRequest(TimeSpan At, TimeSpan Took, string Operation, int? Status);

/// <summary>A snapshot of <see cref="StorageLatency"/>: request counts per latency bucket.</summary>
public sealed record LatencyHistogram(IReadOnlyList<(TimeSpan UpTo, long Count)> Buckets, TimeSpan Max, IReadOnlyList<SlowRequest> Slow)
{
    public long Count => Buckets.Sum(b => b.Count);

    /// <summary>Requests above the 1.024 s bucket (<see cref="Slow"/> lists the first of them).</summary>
    public long SlowCount => Buckets.SkipWhile(b => b.UpTo < TimeSpan.FromSeconds(1)).Skip(1).Sum(b => b.Count);

    /// <summary>Requests counted between <paramref name="earlier"/> and this snapshot.</summary>
    public LatencyHistogram Since(LatencyHistogram earlier) => new(
        Buckets.Select((b, i) => (b.UpTo, b.Count - earlier.Buckets[i].Count)).ToList(),
        Max,
        Slow.Skip(earlier.Slow.Count).ToList());

    public override string ToString() => string.Join("  ", Buckets.Where(b => b.Count > 0).Select(b =>
        (b.UpTo == TimeSpan.MaxValue ? "more" : "≤" + Format(b.UpTo)) + ": " + b.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));

    private static string Format(TimeSpan t) => t < TimeSpan.FromSeconds(1)
        ? ((int)t.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + " ms"
        : t.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + " s";
}

/// <summary>
/// Times every storage request (each try, retries included) into power-of-4 buckets from 1 ms to
/// 64 s, and keeps the first 1,000 that took over 1.024 s: a stall shows up as a count in the
/// top buckets and when it happened, where a rate alone only drops.
/// </summary>
public sealed class StorageLatency(TimeProvider time) : HttpPipelinePolicy
{
    private static readonly TimeSpan[] Limits = [.. Enumerable.Range(0, 9).Select(i => TimeSpan.FromMilliseconds(Math.Pow(4, i))), TimeSpan.MaxValue];
    private static readonly TimeSpan SlowFrom = TimeSpan.FromMilliseconds(1024);
    private readonly long[] _counts = new long[Limits.Length];
    private readonly ConcurrentQueue<SlowRequest> _slow = new();
    private readonly long _start = time.GetTimestamp();
    private long _maxTicks;

    public LatencyHistogram Snapshot() => new(
        Limits.Select((l, i) => (l, Interlocked.Read(ref _counts[i]))).ToList(),
        TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks)),
        _slow.ToList());

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var t = time.GetTimestamp();
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            Record(message, t);
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var t = time.GetTimestamp();
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        finally
        {
            Record(message, t);
        }
    }

    private void Record(HttpMessage message, long startedAt)
    {
        var took = time.GetElapsedTime(startedAt);
        var i = 0;
        while (took > Limits[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        for (var max = Interlocked.Read(ref _maxTicks); took.Ticks > max; max = Interlocked.Read(ref _maxTicks))
        {
            Interlocked.CompareExchange(ref _maxTicks, took.Ticks, max);
        }

        if (took > SlowFrom && _slow.Count < 1000)
        {
            _slow.Enqueue(new SlowRequest(
                time.GetElapsedTime(_start, startedAt),
                took,
                message.Request.Method + " " + message.Request.Uri.Path,
                message.HasResponse ? message.Response.Status : null));
        }
    }
}
