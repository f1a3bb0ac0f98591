using Azure.Data.Tables;
using Engagement.Segmentation;

namespace Engagement.IntegrationTests.Segmentation;

public sealed class NightlyStartTests : IAsyncLifetime
{
    private const int Users = 1_000;
    private static readonly DateOnly AsOf = new(2026, 3, 31);
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync();
        await Population.SeedAsync(_engine, Users, AsOf);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private Task<List<TableEntity>> RunHeadersAsync() =>
        TestEngine.QueryAsync(_engine, TableNames.NightlyRuns, "PartitionKey eq 'run'");

    [Fact]
    public async Task StartOrResume_TwiceThenAfterCompletion_IsOneRun()
    {
        var job = _engine.Get<NightlyJob>();

        var first = await job.StartAsync(AsOf, NightlyStartMode.StartOrResume, TestEngine.Deadline());
        var second = await job.StartAsync(AsOf, NightlyStartMode.StartOrResume, TestEngine.Deadline());

        Assert.Equal("2026-03-31", first.RunId);
        Assert.Equal(first.RunId, second.RunId);
        Assert.Single(await RunHeadersAsync());

        await _engine.Pump().DrainAsync(QueueNames.NightlyShards, null, TestEngine.Deadline());
        var done = await job.ReadSummaryAsync(first.RunId, TestEngine.Deadline());
        Assert.NotNull(done);
        Assert.True(done.IsComplete);
        Assert.Equal(TestEngine.Shards, done.ShardsReported);
        Assert.Equal(Users, done.TierCounts.Values.Sum());
        await Population.AssertStoredEqualsInMemoryAsync(_engine, AsOf, done);

        // the timer firing again after the run finished: nothing new
        var third = await job.StartAsync(AsOf, NightlyStartMode.StartOrResume, TestEngine.Deadline());

        Assert.Equal(first.RunId, third.RunId);
        Assert.True(third.IsComplete);
        Assert.Single(await RunHeadersAsync());
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.NightlyShards));
        Assert.Equal(done.CompletedAt, (await job.ReadSummaryAsync(first.RunId, TestEngine.Deadline()))!.CompletedAt);
    }

    [Fact]
    public async Task StartOrResume_UnfinishedRun_EnqueuesOnlyTheShardsThatHaveNotReported()
    {
        var asOf = AsOf.AddDays(-10); // a date of its own
        var job = _engine.Get<NightlyJob>();
        var first = await job.StartAsync(asOf, NightlyStartMode.StartOrResume, TestEngine.Deadline());

        // three shards report their statistics, then every worker is lost along with the queue's messages
        var queue = await _engine.Get<StorageClients>().QueueAsync(QueueNames.NightlyShards);
        var handlers = _engine.Get<QueueHandlers>();
        var messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
        Assert.Equal(TestEngine.Shards, messages.Length);
        foreach (var m in messages.Take(3))
        {
            await handlers.HandleAsync(new Engagement.Messaging.QueueEnvelope(QueueNames.NightlyShards, m.MessageId, m.Body.ToString(), m.DequeueCount), TestEngine.Deadline());
        }

        await queue.ClearMessagesAsync();

        var resumed = await job.StartAsync(asOf, NightlyStartMode.StartOrResume, TestEngine.Deadline());

        Assert.Equal(first.RunId, resumed.RunId);
        Assert.Equal(TestEngine.Shards - 3, await TestEngine.ApproximateCountAsync(_engine, QueueNames.NightlyShards));
        await _engine.Pump().DrainAsync(QueueNames.NightlyShards, null, TestEngine.Deadline());
        var done = await job.ReadSummaryAsync(first.RunId, TestEngine.Deadline());
        Assert.NotNull(done);
        Assert.True(done.IsComplete);
        Assert.Equal(Users, done.TierCounts.Values.Sum());
        Assert.Equal(TestEngine.Shards, done.ShardsReported);
    }
}
