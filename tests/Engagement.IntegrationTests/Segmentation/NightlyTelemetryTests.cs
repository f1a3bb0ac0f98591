using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Engagement.Segmentation;
using Engagement.Telemetry;

namespace Engagement.IntegrationTests.Segmentation;

/// <summary>
/// A nightly run is one trace: the timer's span and every shard's span of both phases, across queue
/// messages; and users moved out of the dormant tier are counted as reactivations.
/// </summary>
public sealed class NightlyTelemetryTests : IAsyncLifetime
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

    [Fact]
    public async Task UsersLeavingTheDormantTierAreCountedAsReactivations()
    {
        var factory = _engine.Get<IMeterFactory>();
        long reactivated = 0;
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "engagement.reactivations" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref reactivated, value));
        meters.Start();

        await LocalNightly.RunAsync(_engine, AsOf, NightlyStartMode.StartOrResume, null, TestEngine.Deadline());
        var dormant = (await Population.StandingsAsync(_engine)).Where(s => s.Value?.Tier == "dormant").Select(s => s.Key).Take(30).ToList();
        Assert.NotEmpty(dormant);
        Assert.Equal(0, Interlocked.Read(ref reactivated)); // the first night moves nobody out of dormant

        // the next day the dormant users come back and buy, a lot
        var next = AsOf.AddDays(1);
        var events = dormant.SelectMany((u, i) => Enumerable.Range(0, 3).Select(k => ActivityJson.Purchase($"back-{i}-{k}", u, 5_000m, ActivityJson.At(next, 10 + k)))).ToArray();
        await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, ActivityJson.Many(events));
        await _engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline());
        await LocalNightly.RunAsync(_engine, next, NightlyStartMode.StartOrResume, null, TestEngine.Deadline());

        var moves = await _engine.Get<TierTransitionLog>().MovementsAsync(next, TestEngine.Deadline());
        var outOfDormant = moves.Where(m => m.Key.From == "dormant" && m.Key.To != "dormant").Sum(m => m.Value);
        Assert.True(outOfDormant > 0, "nobody left the dormant tier");
        Assert.Equal(outOfDormant, Interlocked.Read(ref reactivated));
    }
}
