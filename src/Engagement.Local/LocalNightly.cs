using Engagement.Local.Queues;
using Engagement.Segmentation;
using Engagement.Storage;

namespace Engagement.Local;

public static class LocalNightly
{
    /// <summary>Starts (or resumes) a nightly run and drains its shard queue on this machine, as the Functions host would.</summary>
    public static async Task<NightlyRunSummary> RunAsync(LocalEngine engine, DateOnly asOf, NightlyStartMode mode, IProgress<PumpProgress>? progress, CancellationToken cancellationToken)
    {
        var job = engine.Get<NightlyJob>();
        var started = await job.StartAsync(asOf, mode, cancellationToken);
        await engine.Pump().DrainAsync(QueueNames.NightlyShards, progress, cancellationToken);
        return await job.ReadSummaryAsync(started.RunId, cancellationToken)
            ?? throw new InvalidOperationException($"run {started.RunId} vanished");
    }
}
