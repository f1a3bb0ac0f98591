using Azure;
using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// A campaign whose <c>sendAt</c> is 10 days ahead, past the queue's 7-day visibility limit: nothing
/// goes out before it, whoever puts its chunks on the queue (the planner's 7-day hop, a resume, a
/// poison replay, a re-plan by a duplicate trigger), everyone planned gets it once when due, and
/// expiry still wins. Azurite keeps a delayed message invisible in real time, so a chunk's arrival
/// on day N is played by setting the clock and handing the chunk over (to the worker, or re-sent to
/// the queue and drained), as <see cref="DeliveryTests"/> does for quiet hours.
/// </summary>
public sealed class ScheduledSendTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai
    private static readonly DateTimeOffset SendAt = new(2026, 12, 11, 12, 0, 0, TimeSpan.FromHours(8)); // 10 days later
    private const int Dormant = 10;
    private readonly StoppedClock _clock = new(Now);
    private readonly RecordingSender _sms = new(Channels.Sms);
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(_sms));
        await Population.SeedSmsRecipientsAsync(_engine, "sa", "+861390077", Dormant, "dormant");
        await Population.SeedSmsRecipientsAsync(_engine, "sb", "+861390088", 1, "regular");
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static string Trigger(string id, DateTimeOffset? expiresAt = null)
    {
        var expires = (expiresAt ?? SendAt.AddDays(10)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return $$"""
            {"schemaVersion":1,"campaignId":"{{id}}","name":"Winter sale","audience":{"tiers":["dormant"]},
             "channels":[{"channel":"sms","template":"30% off this weekend"}],
             "sendAt":"{{SendAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}}","expiresAt":"{{expires}}"}
            """;
    }

    [Fact]
    public async Task SendAtTenDaysAhead_NothingOnDaySeven_TheHopWaitsTheLastThreeDays_ThePlannedAudienceGetsItOnDayTen()
    {
        await PlanAsync(Trigger("s-hop"));
        Assert.True((await DrainAsync()).Remaining > 0, "the planner's chunks wait on the queue");

        // day 5: the nightly run moves two users; the audience was resolved when the trigger was accepted
        await SetTierAsync("sa000", "regular");
        await SetTierAsync("sb000", "dormant");

        // day 7: the planner's chunks come back (7 days is the most a message can wait) and hop again
        var day7 = await ArriveAsync("s-hop", Now.AddDays(7));
        Assert.Empty(_sms.Sent);
        Assert.All(day7, r => Assert.Equal(SendAt, r.ComesBackAt));
        Assert.All(await TestEngine.LedgerAsync(_engine, "s-hop"), r => Assert.Equal(DeliveryStates.Planned, r.State));
        Assert.Equal(0, (await DrainAsync()).Handled); // the hop is invisible for the remaining 3 days

        Assert.Equal(0, (await RedeliverAsync("s-hop", SendAt)).DeadLettered);
        AssertEveryPlannedRecipientOnce("s-hop");
        Assert.Contains(_sms.Sent, m => m.UserId == "sa000");        // planned on day 0: still gets it
        Assert.DoesNotContain(_sms.Sent, m => m.UserId == "sb000");  // dormant only since day 5: not in the plan
        Assert.All(await TestEngine.LedgerAsync(_engine, "s-hop"), r => Assert.Equal(DeliveryStates.Accepted, r.State));

        // the day-7 hop arrives as well: nothing twice
        await RedeliverAsync("s-hop", SendAt.AddMinutes(1));
        AssertEveryPlannedRecipientOnce("s-hop");
    }

    [Fact]
    public async Task ResumeBeforeSendAt_SendsNothingEarly_EveryoneOnceWhenDue()
    {
        await PlanAsync(Trigger("s-resume"));
        _clock.SetUtcNow(Now.AddDays(1));

        var resumed = await _engine.Get<CampaignResume>().ResumeAsync("s-resume", TestEngine.Deadline());
        var drained = await DrainAsync();

        Assert.True(resumed > 0);
        Assert.Equal(resumed, drained.Handled); // the resumed chunks were handled...
        Assert.Empty(_sms.Sent);                // ...and went back to wait
        Assert.All(await TestEngine.LedgerAsync(_engine, "s-resume"), r => Assert.Equal(DeliveryStates.Planned, r.State));

        await RedeliverAsync("s-resume", SendAt);
        AssertEveryPlannedRecipientOnce("s-resume");
    }

    [Fact]
    public async Task PoisonReplayBeforeSendAt_SendsNothingEarly_EveryoneOnceWhenDue()
    {
        await PlanAsync(Trigger("s-poison"));
        // copies of the chunks were dead-lettered (say, a storage outage); the operator replays them on day 2
        var poison = await _engine.Get<StorageClients>().QueueAsync(QueueNames.Poison(QueueNames.Deliveries));
        var chunks = await ChunksAsync("s-poison");
        foreach (var chunk in chunks)
        {
            await poison.SendMessageAsync(chunk.ToJson());
        }

        _clock.SetUtcNow(Now.AddDays(2));
        var replay = await _engine.Get<PoisonQueue>().ReplayAsync(QueueNames.Deliveries, cancellationToken: TestEngine.Deadline());
        var drained = await DrainAsync();

        Assert.Equal(chunks.Count, replay.Count);
        Assert.Equal(chunks.Count, drained.Handled);
        Assert.Empty(_sms.Sent);

        await RedeliverAsync("s-poison", SendAt);
        AssertEveryPlannedRecipientOnce("s-poison");
    }

    [Fact]
    public async Task DuplicateTriggerPlansLate_ItsChunksComeOnDayNine_NothingSentBeforeSendAt()
    {
        // day 0: the trigger was recorded, then its handler died before planning (no ledger rows)
        var text = Trigger("s-dup");
        Assert.Equal(CampaignAcceptance.New, await _engine.Get<CampaignStore>().AcceptAsync(_engine.Get<CampaignTriggerParser>().Parse(text), text, TestEngine.Deadline()));

        // day 2: the duplicate (the producer's retry) plans it; its chunks can wait 7 days, so they come on day 9
        _clock.SetUtcNow(Now.AddDays(2));
        await PlanAsync(text);
        var day9 = await ArriveAsync("s-dup", Now.AddDays(9));

        Assert.Empty(_sms.Sent);
        Assert.All(day9, r => Assert.Equal(SendAt, r.ComesBackAt));

        await PlanAsync(text); // another duplicate, now of a planned campaign: changes nothing
        Assert.Equal(0, (await DrainAsync()).Handled);
        Assert.Empty(_sms.Sent);

        await RedeliverAsync("s-dup", SendAt);
        AssertEveryPlannedRecipientOnce("s-dup");
    }

    [Fact]
    public async Task CampaignExpiresBeforeItsChunksAreWorked_NothingSent_EveryRowRecordedExpired()
    {
        await PlanAsync(Trigger("s-expiry", expiresAt: SendAt.AddDays(1)));
        var day7 = await ArriveAsync("s-expiry", Now.AddDays(7));
        Assert.Empty(_sms.Sent);
        Assert.All(day7, r => Assert.Equal(SendAt, r.ComesBackAt));

        // the hop comes back after expiresAt (the workers were down on day 10): expiry wins over sendAt
        var late = await ArriveAsync("s-expiry", SendAt.AddDays(2));

        Assert.Empty(_sms.Sent);
        Assert.All(late, r => Assert.Null(r.ComesBackAt));
        var ledger = await TestEngine.LedgerAsync(_engine, "s-expiry");
        Assert.Equal(Dormant, ledger.Count);
        Assert.All(ledger, r => Assert.Equal((DeliveryStates.Skipped, "expired"), (r.State, r.Reason)));
    }

    private async Task PlanAsync(string trigger)
    {
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, trigger);
        Assert.Equal(0, (await _engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline())).DeadLettered);
    }

    /// <summary>Handles what is visible on <c>deliveries</c> now; what waits (invisible) is left and counted as remaining.</summary>
    private Task<PumpProgress> DrainAsync() =>
        _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1));

    /// <summary>The campaign's chunks, as the planner cut them (one per shard here), rebuilt from the ledger: Azurite keeps the real ones invisible for real days.</summary>
    private async Task<List<DeliveryChunk>> ChunksAsync(string campaignId) =>
        (await TestEngine.LedgerAsync(_engine, campaignId))
            .GroupBy(r => DeliveryKey.ShardOf(r.PartitionKey))
            .Select(g =>
            {
                var users = g.Select(r => r.UserId!).Order(StringComparer.Ordinal).ToList();
                return new DeliveryChunk(campaignId, g.Key, users[0], users[^1]);
            })
            .ToList();

    /// <summary>The chunks arrive at <paramref name="at"/>: handed to the worker, whose results say when each comes back.</summary>
    private async Task<List<ChunkResult>> ArriveAsync(string campaignId, DateTimeOffset at)
    {
        _clock.SetUtcNow(at);
        var results = new List<ChunkResult>();
        foreach (var chunk in await ChunksAsync(campaignId))
        {
            results.Add(await _engine.Get<DeliveryWorker>().HandleAsync(chunk, TestEngine.Deadline()));
        }

        return results;
    }

    /// <summary>The chunks arrive at <paramref name="at"/> through the queue: re-sent, then drained as the host would.</summary>
    private async Task<PumpProgress> RedeliverAsync(string campaignId, DateTimeOffset at)
    {
        _clock.SetUtcNow(at);
        foreach (var chunk in await ChunksAsync(campaignId))
        {
            await TestEngine.SendAsync(_engine, QueueNames.Deliveries, chunk.ToJson());
        }

        return await DrainAsync();
    }

    private void AssertEveryPlannedRecipientOnce(string campaignId)
    {
        var sent = _sms.Sent.Where(m => m.CampaignId == campaignId).GroupBy(m => m.UserId).ToList();
        Assert.Equal(Dormant, sent.Count);
        Assert.All(sent, g => Assert.Single(g));
    }

    /// <summary>What a nightly run writes when a user changes tier.</summary>
    private async Task SetTierAsync(string userId, string tier)
    {
        var users = await _engine.Get<StorageClients>().TableAsync(TableNames.Users);
        await users.UpdateEntityAsync(new TableEntity(_engine.Get<UserShards>().Of(userId), userId) { [UserEntity.Tier] = tier }, ETag.All, TableUpdateMode.Merge);
    }
}
