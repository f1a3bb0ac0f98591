using Azure.Data.Tables;
using Engagement.Segmentation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.IntegrationTests.Segmentation;

/// <summary>Nightly runs that lose a worker, a message or a result row. Each test has its own engine.</summary>
public sealed class NightlyRecoveryTests
{
    private const int Users = 2_000;
    private static readonly DateOnly AsOf = new(2026, 3, 31);

    private static async Task<LocalEngine> SeededEngineAsync(FaultingLoggerProvider? faults = null)
    {
        var engine = await TestEngine.StartAsync(
            logLevel: faults is null ? LogLevel.Error : LogLevel.Debug,
            configureServices: faults is null ? null : s => s.AddLogging(b => b.ClearProviders().AddProvider(faults)));
        await Population.SeedAsync(engine, Users, AsOf);
        return engine;
    }

    private static async Task AssertCompleteAndCorrectAsync(LocalEngine engine, NightlyRunSummary run)
    {
        Assert.True(run.IsComplete, $"run {run.RunId} is in phase {run.Phase}");
        Assert.Equal(TestEngine.Shards, run.ShardsReported);
        Assert.Equal(Users, run.Users);
        Assert.Equal(Users, run.TierCounts.Values.Sum());
        await Population.AssertStoredEqualsInMemoryAsync(engine, AsOf, run);
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(engine, QueueNames.NightlyShards));
        Assert.Empty(await TestEngine.PeekPoisonAsync(engine, QueueNames.NightlyShards));
    }

    [Fact]
    public async Task WorkerDiesHoldingAShardMessage_TheRunStillCompletes()
    {
        await using var engine = await SeededEngineAsync();
        var job = engine.Get<NightlyJob>();
        var started = await job.StartAsync(AsOf, NightlyStartMode.NewAttempt, TestEngine.Deadline());

        // a worker takes one stats message and dies: it is neither handled nor deleted
        var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.NightlyShards);
        var taken = (await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(2))).Value;
        Assert.Single(taken);

        await engine.Pump(TimeSpan.FromMilliseconds(200)).DrainAsync(QueueNames.NightlyShards, null, TestEngine.Deadline());

        var run = await job.ReadSummaryAsync(started.RunId, TestEngine.Deadline());
        Assert.NotNull(run);
        await AssertCompleteAndCorrectAsync(engine, run);
        Assert.Equal(Users, run.ChangedUsers);
        Assert.Equal(Users, run.Transitions);
    }

    [Fact]
    public async Task CrashAfterAdvancingToAssignBeforeEnqueueing_RedeliveryEnqueuesTheAssignWork()
    {
        var faults = new FaultingLoggerProvider("LogAdvanced");
        await using var engine = await SeededEngineAsync(faults);

        var run = await LocalNightly.RunAsync(engine, AsOf, NightlyStartMode.NewAttempt, null, TestEngine.Deadline());

        Assert.Equal(1, faults.Thrown); // the crash happened: the header said "assign" with no assign work queued
        await AssertCompleteAndCorrectAsync(engine, run);
    }

    [Fact]
    public async Task CrashAfterWritingAShardsResult_RedeliveryCompletesTheRunWithCorrectTiers()
    {
        var faults = new FaultingLoggerProvider("LogShardAssigned");
        await using var engine = await SeededEngineAsync(faults);

        var run = await LocalNightly.RunAsync(engine, AsOf, NightlyStartMode.NewAttempt, null, TestEngine.Deadline());

        Assert.Equal(1, faults.Thrown);
        await AssertCompleteAndCorrectAsync(engine, run);
        var movements = await engine.Get<TierTransitionLog>().MovementsAsync(AsOf, TestEngine.Deadline());
        Assert.Equal(Users, movements.Values.Sum());
    }

    [Fact]
    public async Task CrashOfTheLastShardAfterWritingItsResult_SummaryStillCountsItsChanges()
    {
        // one shard at a time, so the crash hits the shard whose result completes the set
        var faults = new FaultingLoggerProvider("LogShardAssigned", times: 1, skip: TestEngine.Shards - 1);
        await using var engine = await SeededEngineAsync(faults);
        var job = engine.Get<NightlyJob>();
        var started = await job.StartAsync(AsOf, NightlyStartMode.NewAttempt, TestEngine.Deadline());
        var pump = new Local.Queues.LocalQueuePump(engine.Get<StorageClients>(), engine.Get<QueueHandlers>()) { Parallelism = 1, RetryDelay = TimeSpan.FromMilliseconds(200) };

        await pump.DrainAsync(QueueNames.NightlyShards, null, TestEngine.Deadline());

        Assert.Equal(1, faults.Thrown);
        var run = await job.ReadSummaryAsync(started.RunId, TestEngine.Deadline());
        Assert.NotNull(run);
        await AssertCompleteAndCorrectAsync(engine, run); // tiers are right either way
        // the first night gives everyone a first tier: every user changed, one transition each, as the log shows
        var movements = await engine.Get<TierTransitionLog>().MovementsAsync(AsOf, TestEngine.Deadline());
        Assert.Equal(Users, movements.Values.Sum());
        Assert.Equal(Users, run.Transitions);
        Assert.Equal(Users, run.ChangedUsers);
    }

    [Fact]
    public async Task CrashAfterWritingStandingsBeforeReporting_RetryWritesNothingTwice()
    {
        var faults = new FaultingLoggerProvider("LogShardWritten");
        await using var engine = await SeededEngineAsync(faults);

        var run = await LocalNightly.RunAsync(engine, AsOf, NightlyStartMode.NewAttempt, null, TestEngine.Deadline());

        Assert.Equal(1, faults.Thrown);
        await AssertCompleteAndCorrectAsync(engine, run);
        // the retry diffed against the standings the crashed delivery had written: it reports 0 changes
        var shards = await engine.Get<StorageClients>().TableAsync(TableNames.NightlyShards);
        var results = shards.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {run.RunId} and RowKey ge {"result-"} and RowKey lt {"result."}"));
        var changed = new List<long>();
        await foreach (var r in results)
        {
            changed.Add(r.GetInt64("Changed") ?? -1);
        }

        Assert.Equal(TestEngine.Shards, changed.Count);
        Assert.Equal(1, changed.Count(c => c == 0));
        // one transition per user all the same (upserts of the same rows), and the snapshots are cleaned up
        var movements = await engine.Get<TierTransitionLog>().MovementsAsync(AsOf, TestEngine.Deadline());
        Assert.Equal(Users, movements.Values.Sum());
        Assert.Empty(await RowsAsync(shards, run.RunId, "snap-"));
    }

    [Fact]
    public async Task DuplicateAssignMessageAfterTheRunCompleted_IsHandledAndChangesNothing()
    {
        await using var engine = await SeededEngineAsync();
        var run = await LocalNightly.RunAsync(engine, AsOf, NightlyStartMode.NewAttempt, null, TestEngine.Deadline());
        await AssertCompleteAndCorrectAsync(engine, run);
        var standings = await Population.StandingsAsync(engine);
        var shards = await engine.Get<StorageClients>().TableAsync(TableNames.NightlyShards);
        var result = (await shards.GetEntityAsync<TableEntity>(run.RunId, "result-s03")).Value;
        await TestEngine.SendAsync(engine, QueueNames.NightlyShards, $$"""{"runId":"{{run.RunId}}","asOf":"2026-03-31","phase":"assign","shard":"s03"}""");

        var pumped = await engine.Pump().DrainAsync(QueueNames.NightlyShards, null, TestEngine.Deadline());

        Assert.Equal(1, pumped.Handled);
        Assert.Equal(0, pumped.DeadLettered);
        Assert.Equal(result.ETag, (await shards.GetEntityAsync<TableEntity>(run.RunId, "result-s03")).Value.ETag);
        Assert.Equal(standings, await Population.StandingsAsync(engine));
        var after = await engine.Get<NightlyJob>().ReadSummaryAsync(run.RunId, TestEngine.Deadline());
        Assert.Equal(run.ChangedUsers, after!.ChangedUsers);
        Assert.Equal(run.CompletedAt, after.CompletedAt);
    }

    private static async Task<List<string>> RowsAsync(TableClient table, string partition, string prefix)
    {
        var keys = new List<string>();
        var upper = prefix[..^1] + (char)(prefix[^1] + 1);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {upper}"), select: ["RowKey"]))
        {
            keys.Add(e.RowKey);
        }

        return keys;
    }
}
