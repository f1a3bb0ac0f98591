using Engagement.Messaging;

namespace Engagement.IntegrationTests.Messaging;

/// <summary>Listing and replaying poison queues on Azurite: a dry run changes nothing, a replay moves bodies back verbatim.</summary>
public sealed class PoisonQueueTests : IAsyncLifetime
{
    private LocalEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync();

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private PoisonQueue Poison => _engine.Get<PoisonQueue>();

    // characters the queue's XML envelope must escape, and non-ASCII, so "identical bodies" means something
    private static string Body(int n) => $$"""{"campaignId":"c-{{n}}","shard":"s03","note":"<a & b> \"q\" é 中"}""";

    private async Task<List<string>> PutOnPoisonAsync(string queue, int count)
    {
        var bodies = Enumerable.Range(1, count).Select(Body).ToList();
        foreach (var body in bodies)
        {
            await TestEngine.SendAsync(_engine, QueueNames.Poison(queue), body);
        }

        return bodies;
    }

    /// <summary>Takes every visible message off <paramref name="queue"/> (batches of 32) and returns the bodies.</summary>
    private async Task<List<string>> ReceiveAllAsync(string queue)
    {
        var client = await _engine.Get<StorageClients>().QueueAsync(queue);
        var bodies = new List<string>();
        while ((await client.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), TestEngine.Deadline())).Value is { Length: > 0 } batch)
        {
            bodies.AddRange(batch.Select(m => m.Body.ToString()));
        }

        return bodies;
    }

    [Fact]
    public async Task DryRun_ListsThePoisonMessagesAndChangesNeitherQueue()
    {
        var bodies = await PutOnPoisonAsync(QueueNames.Deliveries, 3);

        var result = await Poison.ReplayAsync(QueueNames.Deliveries, dryRun: true, cancellationToken: TestEngine.Deadline());

        Assert.True(result.DryRun);
        Assert.Equal(3, result.Count);
        Assert.Equal(bodies.Order(), result.Messages.Select(m => m.Body).Order());
        Assert.Contains("at most 32", result.Note, StringComparison.Ordinal);
        Assert.Equal(3, await TestEngine.ApproximateCountAsync(_engine, QueueNames.Poison(QueueNames.Deliveries)));
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.Deliveries));
        // still visible (a receive would have hidden them for minutes) and never dequeued
        var peeked = await Poison.PeekAsync(QueueNames.Deliveries, cancellationToken: TestEngine.Deadline());
        Assert.Equal(3, peeked.Messages.Count);
        Assert.All(peeked.Messages, m => Assert.Equal(0, m.DequeueCount));
    }

    [Fact]
    public async Task Replay_MovesEveryMessageAcrossBatchesWithIdenticalBodies()
    {
        var bodies = await PutOnPoisonAsync(QueueNames.Deliveries, 40); // more than one batch of 32

        var result = await Poison.ReplayAsync(QueueNames.Deliveries, cancellationToken: TestEngine.Deadline());

        Assert.False(result.DryRun);
        Assert.Equal(40, result.Count);
        Assert.Equal(40, result.Messages.Count);
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.Poison(QueueNames.Deliveries)));
        Assert.Equal(bodies.Order(), (await ReceiveAllAsync(QueueNames.Deliveries)).Order());
    }

    [Fact]
    public async Task Replay_StopsAtMaxAndLeavesTheRestOnThePoisonQueue()
    {
        var bodies = await PutOnPoisonAsync(QueueNames.ActivityEvents, 40);

        // the -poison name is accepted too; 35 needs a full batch and then a batch of 3
        var result = await Poison.ReplayAsync(QueueNames.Poison(QueueNames.ActivityEvents), max: 35, cancellationToken: TestEngine.Deadline());

        Assert.Equal(QueueNames.ActivityEvents, result.Queue);
        Assert.Equal(35, result.Count);
        var moved = await ReceiveAllAsync(QueueNames.ActivityEvents);
        var left = await ReceiveAllAsync(QueueNames.Poison(QueueNames.ActivityEvents));
        Assert.Equal(35, moved.Count);
        Assert.Equal(5, left.Count);
        Assert.Equal(bodies.Order(), moved.Concat(left).Order()); // none lost, none duplicated
    }

    [Theory]
    [InlineData("deliverys")]
    [InlineData("errors")]
    [InlineData("deliveries-poison-poison")]
    public async Task UnknownQueue_RefusedWithTheValidNames(string queue)
    {
        var replay = await Assert.ThrowsAsync<ArgumentException>(() => Poison.ReplayAsync(queue, cancellationToken: TestEngine.Deadline()));
        var peek = await Assert.ThrowsAsync<ArgumentException>(() => Poison.PeekAsync(queue, cancellationToken: TestEngine.Deadline()));

        foreach (var message in new[] { replay.Message, peek.Message })
        {
            Assert.Contains($"'{queue}'", message, StringComparison.Ordinal);
            Assert.All(QueueNames.All, name => Assert.Contains(name, message, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task MalformedTrigger_DeadLetteredByTheHandler_IsListedWithItsErrorAndReplayedToItsQueue()
    {
        const string bad = "{\"schemaVersion\": 1, \"campaignId\": \"bad-1\"";
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, bad);
        var pumped = await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());
        Assert.Equal(1, pumped.DeadLettered);

        var listed = await Poison.PeekAsync(QueueNames.CampaignTriggers, cancellationToken: TestEngine.Deadline());
        var message = Assert.Single(listed.Messages);
        Assert.Equal(bad, message.Body);
        Assert.Contains("invalid JSON", message.Error, StringComparison.Ordinal); // matched to its errors row

        var result = await Poison.ReplayAsync(QueueNames.CampaignTriggers, cancellationToken: TestEngine.Deadline());

        Assert.Equal(1, result.Count);
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.Poison(QueueNames.CampaignTriggers)));
        var main = await _engine.Get<StorageClients>().QueueAsync(QueueNames.CampaignTriggers);
        Assert.Equal(bad, Assert.Single((await main.PeekMessagesAsync(32)).Value).Body.ToString());
    }

    [Fact]
    public async Task LongMalformedTrigger_OverTheErrorsRowCopy_IsStillListedWithItsError()
    {
        // 40,000 characters: more than the errors row keeps (30,000), less than a queue message holds
        var bad = "{\"schemaVersion\": 1, \"campaignId\": \"bad-long\", \"name\": \"" + new string('x', 40_000);
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, bad);
        var pumped = await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());
        Assert.Equal(1, pumped.DeadLettered);

        var listed = await Poison.PeekAsync(QueueNames.CampaignTriggers, cancellationToken: TestEngine.Deadline());

        var message = Assert.Single(listed.Messages);
        Assert.Equal(bad, message.Body);
        Assert.Contains("invalid JSON", message.Error, StringComparison.Ordinal);
    }
}
