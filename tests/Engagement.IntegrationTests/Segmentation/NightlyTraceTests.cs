using System.Collections.Concurrent;
using System.Diagnostics;
using Engagement.IntegrationTests.Infrastructure;
using Engagement.Local;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Telemetry;

namespace Engagement.IntegrationTests.Segmentation;

/// <summary>A nightly run is one trace: the timer's span and every shard's span of both phases, across queue messages.</summary>
public sealed class NightlyTraceTests : IAsyncLifetime
{
    // matched by name: the listener must not touch TestSource, whose lazy static initialisation can run inside AddActivityListener
    private const string TestSourceName = "Engagement.IntegrationTests.NightlyTrace";
    private static readonly ActivitySource TestSource = new(TestSourceName);
    private static readonly DateOnly AsOf = new(2026, 5, 19);
    private readonly ConcurrentQueue<System.Diagnostics.Activity> _spans = new();
    private ActivityListener _listener = null!;
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is EngagementTelemetry.Name or TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
        _engine = await TestEngine.StartAsync();
        await Population.SeedAsync(_engine, 400, AsOf);
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _engine.DisposeAsync();
    }

    [Fact]
    public async Task TheRunAndEveryShardOfBothPhasesShareOneTrace()
    {
        ActivityTraceId trace;
        using (var timer = TestSource.StartActivity("timer invocation"))
        {
            // the timer function's invocation span is the parent of the run
            trace = timer!.TraceId;
            await _engine.Get<NightlyJob>().StartAsync(AsOf, NightlyStartMode.StartOrResume, TestEngine.Deadline());
        }

        // the shard messages are handled later, outside that span (as a queue trigger would)
        System.Diagnostics.Activity.Current = null;
        await _engine.Pump().DrainAsync(QueueNames.NightlyShards, null, TestEngine.Deadline());

        var ours = _spans.Where(s => s.TraceId == trace && s.Source.Name == EngagementTelemetry.Name).ToList();
        var run = Assert.Single(ours, s => s.DisplayName == "nightly.run");
        var shards = ours.Where(s => s.DisplayName == "nightly.shard").ToList();
        Assert.Equal(2 * TestEngine.Shards, shards.Count); // stats + assign, every shard, all in the run's trace
        Assert.Equal(TestEngine.Shards, shards.Count(s => s.GetTagItem("nightly.phase") as string == NightlyPhase.Assign));
        Assert.All(shards.Where(s => s.GetTagItem("nightly.phase") as string == NightlyPhase.Stats), s => Assert.Equal(run.SpanId, s.ParentSpanId));
        Assert.All(shards, s => Assert.Equal(run.GetTagItem("nightly.run_id"), s.GetTagItem("nightly.run_id")));
    }
}
