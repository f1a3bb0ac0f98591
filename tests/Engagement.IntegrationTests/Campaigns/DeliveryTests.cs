using Azure;
using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// Campaigns from trigger to inbox and SMS on Azurite: policies with their reasons, quiet hours,
/// replays and crashes that send nothing twice, and two workers on one queue. SMS go to a
/// recording sender here (the Twilio path has its own tests); in-app is the real inbox.
/// </summary>
public sealed class DeliveryTests : IAsyncLifetime
{
    // 12:00 in Shanghai, 23:00 the day before in New York (quiet hours there)
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);
    private const int Users = 60;
    private readonly StoppedClock _clock = new(Now);
    private readonly RecordingSender _sms = new(Channels.Sms, latency: TimeSpan.FromMilliseconds(50));
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(_sms));
        await SeedAsync(_engine);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static string Id(int i) => $"d{i:D3}";

    /// <summary>Everyone dormant; every 10th user by kind: 1 no SMS consent, 2 an invalid phone, 3 in New York.</summary>
    private static async Task SeedAsync(LocalEngine engine)
    {
        await Population.SeedRecipientsAsync(engine, Enumerable.Range(0, Users).Select(i => (Id(i), new UserProfile
        {
            Phone = i % 10 == 2 ? "+86123" : i % 10 == 3 ? "+12125550100" : "+861380013" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
            TimeZone = i % 10 == 3 ? "America/New_York" : "Asia/Shanghai",
            ConsentSms = i % 10 != 1,
            ConsentInApp = true,
            Interests = "fitness",
            Source = "test",
        }, "dormant")));
    }

    private static string Trigger(string id, string channels, int holdout = 0) => $$"""
        {
          "schemaVersion": 1, "campaignId": "{{id}}", "name": "We miss you",
          "audience": { "tiers": ["dormant"] },
          "channels": [ {{channels}} ],
          "holdoutPercent": {{holdout}},
          "expiresAt": "2026-12-20T00:00:00+08:00"
        }
        """;

    private const string SmsAndInApp = """{ "channel": "sms", "template": "Hi {{ user_id }}, 30% off until {{ expires_at }}" }, { "channel": "inapp", "title": "Welcome back", "template": "30% off for you" }""";

    private static async Task RunAsync(LocalEngine engine, string trigger)
    {
        await TestEngine.SendAsync(engine, QueueNames.CampaignTriggers, trigger);
        Assert.Equal(0, (await engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline())).DeadLettered);
        Assert.Equal(0, (await DrainDeliveriesAsync(engine)).DeadLettered);
    }

    private static Task<Local.Queues.PumpProgress> DrainDeliveriesAsync(LocalEngine engine) =>
        engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1));

    private async Task<List<DeliveryRow>> LedgerAsync(string campaignId) =>
        await TestEngine.LedgerAsync(_engine, campaignId);

    private async Task<List<TableEntity>> InboxAsync() => await TestEngine.QueryAsync(_engine, TableNames.Inbox, "");

    private static (string State, string? Reason) StateOf(List<DeliveryRow> ledger, string user, string channel)
    {
        var row = ledger.Single(r => r.UserId == user && r.Channel == channel);
        return (row.State!, row.Reason);
    }

    [Fact]
    public async Task Campaign_EachEligibleRecipientGetsEachChannelOnce_OthersRecordedWithTheirReason()
    {
        await RunAsync(_engine, Trigger("c-main", SmsAndInApp, holdout: 10));

        var ledger = await LedgerAsync("c-main");
        var inbox = await InboxAsync();
        var sms = _sms.Sent.GroupBy(m => m.UserId).ToDictionary(g => g.Key, g => g.ToList());
        for (var i = 0; i < Users; i++)
        {
            var user = Id(i);
            if (CampaignPlanner.IsHeldOut("c-main", user, 10))
            {
                Assert.Equal((DeliveryStates.HeldOut, "holdout"), StateOf(ledger, user, Channels.Sms));
                Assert.False(sms.ContainsKey(user));
                Assert.DoesNotContain(inbox, r => r.PartitionKey == user);
                continue;
            }

            Assert.Single(inbox, r => r.PartitionKey == user);
            Assert.Equal((DeliveryStates.Accepted, null), StateOf(ledger, user, Channels.InApp));
            var expected = (i % 10) switch
            {
                1 => (DeliveryStates.Skipped, "no-consent"),
                2 => (DeliveryStates.Skipped, "invalid-phone"),
                3 => (DeliveryStates.Planned, null), // 23:00 in New York: deferred, not dropped
                _ => (DeliveryStates.Accepted, (string?)null),
            };
            Assert.Equal(expected, StateOf(ledger, user, Channels.Sms));
            Assert.Equal(expected.Item1 == DeliveryStates.Accepted ? 1 : 0, sms.GetValueOrDefault(user)?.Count ?? 0);
        }

        // the app's view of the inbox (engine API)
        var reader = Enumerable.Range(0, Users).Select(Id).First(u => !CampaignPlanner.IsHeldOut("c-main", u, 10));
        var inboxOf = await _engine.Get<Inbox>().ListAsync(reader, includeExpired: false, TestEngine.Deadline());
        Assert.Equal(("c-main", "Welcome back", "30% off for you", false), (inboxOf.Single().CampaignId, inboxOf.Single().Title, inboxOf.Single().Body, inboxOf.Single().Read));
        var one = _sms.Sent.First();
        Assert.StartsWith("【Brand】Hi ", one.Body, StringComparison.Ordinal);
        Assert.EndsWith("回T退订", one.Body, StringComparison.Ordinal);
        Assert.Contains("2026-12-20 00:00", one.Body, StringComparison.Ordinal); // expiry in the user's own zone
    }

    [Fact]
    public async Task QuietHoursInNewYork_DeferredThenSentAfterNineLocal_OnceEach()
    {
        await RunAsync(_engine, Trigger("c-quiet", SmsAndInApp));
        var newYorkers = Enumerable.Range(0, Users).Where(i => i % 10 == 3).Select(Id).ToList();
        Assert.All(newYorkers, u => Assert.DoesNotContain(_sms.Sent, m => m.UserId == u));
        // the chunk came back on the queue, invisible until 09:00 in New York
        Assert.True(await TestEngine.ApproximateCountAsync(_engine, QueueNames.Deliveries) > 0);

        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 14, 1, 0, TimeSpan.Zero)); // 09:01 EST
        var before = _sms.Sent.Count;
        foreach (var chunk in await PlannedChunksAsync("c-quiet"))
        {
            await _engine.Get<DeliveryWorker>().HandleAsync(chunk, TestEngine.Deadline());
        }

        Assert.Equal(newYorkers.Count, _sms.Sent.Count - before);
        Assert.All(newYorkers, u => Assert.Single(_sms.Sent, m => m.UserId == u));
    }

    [Fact]
    public async Task ReplayedChunks_SendNothingTwice()
    {
        await RunAsync(_engine, Trigger("c-replay", SmsAndInApp));
        var sent = _sms.Sent.Count;
        var inbox = (await InboxAsync()).Count;

        foreach (var chunk in await PlannedChunksAsync("c-replay", all: true))
        {
            await TestEngine.SendAsync(_engine, QueueNames.Deliveries, chunk.ToJson());
        }

        await DrainDeliveriesAsync(_engine);

        Assert.Equal(sent, _sms.Sent.Count);
        Assert.Equal(inbox, (await InboxAsync()).Count);
    }

    [Fact]
    public async Task RowLeftInSendingByACrash_BecomesUnknownAndIsNotResent()
    {
        // plan only, then play the crashed worker: it claimed one row and died before recording the outcome
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, Trigger("c-crash", SmsAndInApp));
        await _engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());
        var ledger = await LedgerAsync("c-crash");
        var claimed = ledger.First(r => r.UserId == Id(0) && r.Channel == Channels.Sms);
        Assert.True((await _engine.Get<DeliveryLedger>().TryMoveAsync(claimed, claimed with { State = DeliveryStates.Sending }, TestEngine.Deadline())).Moved);

        await DrainDeliveriesAsync(_engine);

        Assert.Equal((DeliveryStates.Unknown, "interrupted-after-claim"), StateOf(await LedgerAsync("c-crash"), Id(0), Channels.Sms));
        Assert.DoesNotContain(_sms.Sent, m => m.UserId == Id(0) && m.CampaignId == "c-crash");
        Assert.Contains(_sms.Sent, m => m.UserId == Id(4) && m.CampaignId == "c-crash");
    }

    [Fact]
    public async Task SecondSmsToADormantUserInOneMonth_SkippedByTheMonthlyCap()
    {
        await RunAsync(_engine, Trigger("c-first", SmsAndInApp));
        _clock.SetUtcNow(Now.AddDays(10));

        await RunAsync(_engine, Trigger("c-second", """{ "channel": "sms", "template": "Still here for you" }"""));

        var ledger = await LedgerAsync("c-second");
        Assert.Equal((DeliveryStates.Skipped, "monthly-sms-cap"), StateOf(ledger, Id(0), Channels.Sms));
        Assert.DoesNotContain(_sms.Sent, m => m.CampaignId == "c-second" && m.UserId == Id(0));
    }

    [Fact]
    public async Task TwoWorkersOnTheSameChunks_NoRecipientGetsTwoMessages()
    {
        var otherSms = new RecordingSender(Channels.Sms, latency: TimeSpan.FromMilliseconds(50));
        await using var other = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(otherSms), existingStorage: _engine.Azurite!.ConnectionString);
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, Trigger("c-race", SmsAndInApp));
        await _engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());
        // two workers (two engines, as two instances would be) handle every chunk at the same moment
        var first = _engine.Get<DeliveryWorker>();
        var second = other.Get<DeliveryWorker>();
        using var start = new SemaphoreSlim(0);
        var runs = (await PlannedChunksAsync("c-race", all: true)).SelectMany(c => new[] { first, second }.Select(w => Task.Run(async () =>
        {
            await start.WaitAsync(TestEngine.Deadline());
            await w.HandleAsync(c, TestEngine.Deadline());
        }))).ToList();
        start.Release(runs.Count);
        await Task.WhenAll(runs);

        var perUser = _sms.Sent.Concat(otherSms.Sent).Where(m => m.CampaignId == "c-race").GroupBy(m => m.UserId).ToList();
        Assert.All(perUser, g => Assert.Single(g));
        var eligible = Enumerable.Range(0, Users).Count(i => i % 10 is not (1 or 2 or 3));
        Assert.Equal(eligible, perUser.Count);
        Assert.Equal(Users, (await InboxAsync()).Count(r => r.RowKey.StartsWith("c-race|", StringComparison.Ordinal)));
        // and the ledger tells the truth: what went out is accepted, once (a second claim would have
        // overwritten it, and only the caps would have stopped a second message)
        var ledger = await LedgerAsync("c-race");
        Assert.Equal(Users + eligible, ledger.Count(r => r.State == DeliveryStates.Accepted));
        Assert.DoesNotContain(ledger, r => r.Reason is "frequency-cap" or "monthly-sms-cap");
    }

    [Fact]
    public async Task QuietHoursOnTheSpringForwardNight_DeferredUntilNineEdt()
    {
        // New York, 2027-03-14: clocks jump from 02:00 EST to 03:00 EDT; 01:30 EST is 06:30Z
        _clock.SetUtcNow(new DateTimeOffset(2027, 3, 14, 6, 30, 0, TimeSpan.Zero));
        await RunAsync(_engine, Trigger("c-dst", """{ "channel": "sms", "template": "Spring offer" }""").Replace("2026-12-20", "2027-03-20", StringComparison.Ordinal));
        var newYorker = Id(3);
        Assert.DoesNotContain(_sms.Sent, m => m.CampaignId == "c-dst" && m.UserId == newYorker);
        var chunks = await PlannedChunksAsync("c-dst");

        _clock.SetUtcNow(new DateTimeOffset(2027, 3, 14, 12, 59, 0, TimeSpan.Zero)); // 08:59 EDT: still quiet
        foreach (var chunk in chunks)
        {
            await _engine.Get<DeliveryWorker>().HandleAsync(chunk, TestEngine.Deadline());
        }

        Assert.DoesNotContain(_sms.Sent, m => m.CampaignId == "c-dst" && m.UserId == newYorker);

        _clock.SetUtcNow(new DateTimeOffset(2027, 3, 14, 13, 0, 0, TimeSpan.Zero)); // 09:00 EDT (it would be 14:00Z in winter time)
        foreach (var chunk in chunks)
        {
            await _engine.Get<DeliveryWorker>().HandleAsync(chunk, TestEngine.Deadline());
        }

        Assert.Single(_sms.Sent, m => m.CampaignId == "c-dst" && m.UserId == newYorker);
    }

    [Fact]
    public async Task CampaignPastItsExpiry_RemainingDeliveriesSkippedAsExpired()
    {
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, Trigger("c-expiry", SmsAndInApp));
        await _engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());
        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.FromHours(8))); // exactly expiresAt

        await DrainDeliveriesAsync(_engine);

        var ledger = await LedgerAsync("c-expiry");
        Assert.All(ledger, r => Assert.Equal((DeliveryStates.Skipped, "expired"), (r.State, r.Reason)));
        Assert.DoesNotContain(_sms.Sent, m => m.CampaignId == "c-expiry");
        Assert.DoesNotContain(await InboxAsync(), r => r.RowKey.StartsWith("c-expiry|", StringComparison.Ordinal));
    }

    /// <summary>User 5 at the global cap: three marketing messages in the last 7 days, from other campaigns and channels.</summary>
    private async Task<(string User, TableClient TouchLogs, string Log)> CappedUserAsync()
    {
        var capped = Id(5);
        var touchLogs = await _engine.Get<StorageClients>().TableAsync(TableNames.TouchesOf(_engine.Get<UserShards>().Of(capped)));
        var touches = new[] { Now.AddDays(-6), Now.AddDays(-2), Now.AddHours(-1) }.Select((t, i) => new Touch(t, i == 0 ? Channels.Push : Channels.InApp));
        var log = TouchLog.Format(touches, Now);
        await touchLogs.UpsertEntityAsync(new TableEntity(_engine.Get<UserShards>().Of(capped), capped) { [UserEntity.Touches] = log });
        return (capped, touchLogs, log);
    }

    [Fact]
    public async Task UserAtTheGlobalCap_SkippedOnEveryChannel()
    {
        var (capped, _, _) = await CappedUserAsync();

        await RunAsync(_engine, Trigger("c-cap", SmsAndInApp));

        var ledger = await LedgerAsync("c-cap");
        Assert.Equal((DeliveryStates.Skipped, "frequency-cap"), StateOf(ledger, capped, Channels.Sms));
        Assert.Equal((DeliveryStates.Skipped, "frequency-cap"), StateOf(ledger, capped, Channels.InApp));
        Assert.Equal((DeliveryStates.Accepted, null), StateOf(ledger, Id(4), Channels.Sms)); // the others are not
    }

    /// <summary>An order outside the caps (a programme's step the user is in) reaches a user at the cap and records no touch.</summary>
    [Fact]
    public async Task UncappedCampaign_ReachesAUserAtTheCap_AndLeavesTheTouchLogAsItWas()
    {
        var (capped, touchLogs, log) = await CappedUserAsync();
        var shard = _engine.Get<UserShards>().Of(capped);

        await RunAsync(_engine, Trigger("c-uncapped", SmsAndInApp).Replace("\"holdoutPercent\"", "\"frequencyCap\": false, \"holdoutPercent\"", StringComparison.Ordinal));

        var ledger = await LedgerAsync("c-uncapped");
        Assert.Equal((DeliveryStates.Accepted, null), StateOf(ledger, capped, Channels.Sms));
        Assert.Equal((DeliveryStates.Accepted, null), StateOf(ledger, capped, Channels.InApp));
        Assert.Equal(log, (await touchLogs.GetEntityAsync<TableEntity>(shard, capped)).Value.GetString(UserEntity.Touches));
        Assert.False((await touchLogs.GetEntityIfExistsAsync<TableEntity>(shard, Id(4))).HasValue); // nobody's first touch either
    }

    [Fact]
    public async Task Preview_SaysPerRecipientWhatWouldHappen_AndSendsAndRecordsNothing()
    {
        var trigger = _engine.Get<CampaignTriggerParser>().Parse(Trigger("c-preview", SmsAndInApp, holdout: 10));

        var preview = await _engine.Get<CampaignPreview>().PreviewAsync(trigger, samplesPerOutcome: 2, TestEngine.Deadline());

        var held = Enumerable.Range(0, Users).Count(i => CampaignPlanner.IsHeldOut("c-preview", Id(i), 10));
        int Sms(int kind) => Enumerable.Range(0, Users).Count(i => i % 10 == kind && !CampaignPlanner.IsHeldOut("c-preview", Id(i), 10));
        Assert.Equal(Users - held, preview.Counts[(Channels.InApp, "send", "")]);
        Assert.Equal(held, preview.Counts[(Channels.Sms, DeliveryStates.HeldOut, "holdout")]);
        Assert.Equal(Sms(1), preview.Counts[(Channels.Sms, "skip", "no-consent")]);
        Assert.Equal(Sms(2), preview.Counts[(Channels.Sms, "skip", "invalid-phone")]);
        Assert.Equal(Sms(3), preview.Counts.Where(c => c.Key.Channel == Channels.Sms && c.Key.Outcome == "defer").Sum(c => c.Value));
        var sms = preview.Samples.First(r => r.Channel == Channels.Sms && r.Outcome == "send");
        Assert.StartsWith("【Brand】Hi " + sms.UserId, sms.Text, StringComparison.Ordinal);
        Assert.Empty(await LedgerAsync("c-preview"));
        Assert.Empty(_sms.Sent);
        Assert.Empty(await InboxAsync());
    }

    [Fact]
    public async Task MonthlySmsCap_CountsTheUsersOwnCalendarMonth()
    {
        // two dormant Shanghai users, each with one earlier SMS: at 2026-11-30 17:00Z (Dec 1, 01:00 in
        // Shanghai) and at 2026-11-30 15:00Z (Nov 30, 23:00 in Shanghai); now is Dec 1, 12:00 in Shanghai
        async Task TouchAsync(string user, DateTimeOffset at)
        {
            var shard = _engine.Get<UserShards>().Of(user);
            var logs = await _engine.Get<StorageClients>().TableAsync(TableNames.TouchesOf(shard));
            await logs.UpsertEntityAsync(new TableEntity(shard, user) { [UserEntity.Touches] = TouchLog.Format([new Touch(at, Channels.Sms)], Now) });
        }

        await TouchAsync(Id(4), new DateTimeOffset(2026, 11, 30, 17, 0, 0, TimeSpan.Zero));
        await TouchAsync(Id(5), new DateTimeOffset(2026, 11, 30, 15, 0, 0, TimeSpan.Zero));

        await RunAsync(_engine, Trigger("c-month", """{ "channel": "sms", "template": "December offer" }"""));

        var ledger = await LedgerAsync("c-month");
        Assert.Equal((DeliveryStates.Skipped, "monthly-sms-cap"), StateOf(ledger, Id(4), Channels.Sms)); // already had December's
        Assert.Equal((DeliveryStates.Accepted, null), StateOf(ledger, Id(5), Channels.Sms));             // that one was November's
        Assert.DoesNotContain(_sms.Sent, m => m.UserId == Id(4));
        Assert.Single(_sms.Sent, m => m.UserId == Id(5));
    }

    /// <summary>One chunk per shard covering every planned recipient (or every recipient), as the planner would cut them.</summary>
    private async Task<List<DeliveryChunk>> PlannedChunksAsync(string campaignId, bool all = false)
    {
        var ledger = await LedgerAsync(campaignId);
        return ledger.Where(r => all || r.State == DeliveryStates.Planned)
            .GroupBy(r => r.PartitionKey[(campaignId.Length + 1)..])
            .Select(g =>
            {
                var users = g.Select(r => r.UserId!).Order(StringComparer.Ordinal).ToList();
                return new DeliveryChunk(campaignId, g.Key, users[0], users[^1]);
            })
            .ToList();
    }
}
