using Engagement.Delivery;
using Engagement.Outcomes;
using Engagement.Users;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// The wake-up rate on Azurite: a win-back campaign with a holdout, users coming back through the
/// activity queue afterwards, and the outcome counted per group and window and recorded.
/// </summary>
public sealed class ReactivationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai
    private static readonly DateOnly Today = new(2026, 12, 1);
    private const int Users = 40;
    private readonly StoppedClock _clock = new(Now);
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync(_clock);
        await Population.SeedRecipientsAsync(_engine, Enumerable.Range(0, Users).Select(i => ($"r{i:D3}", new UserProfile { TimeZone = "Asia/Shanghai", Source = "test" }, "dormant")));
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task IngestAsync(IEnumerable<(string UserId, DateOnly Day)> activity)
    {
        var events = activity.Select((a, i) => ActivityJson.Login($"back-{a.UserId}-{i}", a.UserId, ActivityJson.At(a.Day, 20))).ToArray();
        await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, ActivityJson.Many(events));
        Assert.Equal(0, (await _engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline())).DeadLettered);
    }

    [Fact]
    public async Task ReachedAndHeldOutUsers_ActiveAgainInTheWindow_AreCountedAndRecorded()
    {
        await TestEngine.RunCampaignAsync(_engine, """
            {"schemaVersion":1,"campaignId":"wake-1","name":"We miss you","audience":{"tiers":["dormant"]},
             "channels":[{"channel":"inapp","title":"It has been a while","template":"30% off until Sunday"}],"holdoutPercent":50}
            """);
        var ledger = await TestEngine.LedgerAsync(_engine, "wake-1");
        var reached = ledger.Where(r => r.State == DeliveryStates.Accepted).Select(r => r.UserId!).Order().ToList();
        var heldOut = ledger.Where(r => r.State == DeliveryStates.HeldOut).Select(r => r.UserId!).Order().ToList();
        Assert.True(reached.Count >= 5 && heldOut.Count >= 3, $"{reached.Count} reached, {heldOut.Count} held out");

        // two days later: 5 reached users came back the day after, 2 held-out ones too; one reached user was
        // active only the day before the message (that is not a reactivation)
        _clock.Advance(TimeSpan.FromDays(2));
        await IngestAsync(reached.Take(5).Select(u => (u, Today.AddDays(1)))
            .Concat(heldOut.Take(2).Select(u => (u, Today.AddDays(1))))
            .Append((reached[^1], Today.AddDays(-1))));

        var reactivations = _engine.Get<Reactivations>();
        var week = await reactivations.MeasureAsync("wake-1", windowDays: 7, TestEngine.Deadline());
        Assert.Equal((reached.Count, 5, heldOut.Count, 2), (week.Reached, week.ReachedActive, week.HeldOut, week.HeldOutActive));
        Assert.Equal(reached.Count + heldOut.Count, week.StillInWindow); // day 3 of 7
        Assert.Equal((5.0 / reached.Count - 2.0 / heldOut.Count) * 100, week.Lift!.Value, 6);

        // a one-day window ends on the day of the message: the next day's activity is outside it
        var sameDay = await reactivations.MeasureAsync("wake-1", windowDays: 1, TestEngine.Deadline());
        Assert.Equal((0, 0, 0), (sameDay.ReachedActive, sameDay.HeldOutActive, sameDay.StillInWindow));

        var rows = await TestEngine.QueryAsync(_engine, TableNames.Reactivations, "PartitionKey eq 'wake-1'");
        Assert.Equal(7, rows.Count);
        Assert.Equal(reached.Take(5).Concat(heldOut.Take(2)).Order(), rows.Select(r => r.GetString("UserId")).Order());
        Assert.All(rows, r => Assert.Equal(("2026-12-01", "2026-12-02", 7), (r.GetString("ExposedOn"), r.GetString("ActiveOn"), r.GetInt32("WindowDays"))));
        Assert.Equal(2, rows.Count(r => r.GetBoolean("HeldOut") == true));

        // measuring again finds and writes the same
        var again = await reactivations.MeasureAsync("wake-1", windowDays: 7, TestEngine.Deadline());
        Assert.Equal(week, again);
        Assert.Equal(7, (await TestEngine.QueryAsync(_engine, TableNames.Reactivations, "PartitionKey eq 'wake-1'")).Count);
    }

    [Fact]
    public async Task HeldOutUsers_OfAScheduledCampaign_AreMeasuredFromItsSendAt()
    {
        // accepted on Dec 1 for Dec 5 (12:00 Shanghai): the holdout's window starts on Dec 5, like the reached users'
        await TestEngine.RunCampaignAsync(_engine, """
            {"schemaVersion":1,"campaignId":"wake-later","name":"We miss you","audience":{"tiers":["dormant"]},"sendAt":"2026-12-05T04:00:00Z",
             "channels":[{"channel":"inapp","title":"It has been a while","template":"30% off until Sunday"}],"holdoutPercent":50}
            """, leaveDeferred: true);
        var heldOut = (await TestEngine.LedgerAsync(_engine, "wake-later"))
            .Where(r => r.State == DeliveryStates.HeldOut).Select(r => r.UserId!).Order().ToList();
        Assert.True(heldOut.Count >= 4, $"{heldOut.Count} held out");

        // two held-out users active on Dec 2 only (before the campaign was due), two on Dec 6
        _clock.Advance(TimeSpan.FromDays(7));
        await IngestAsync(heldOut.Take(2).Select(u => (u, Today.AddDays(1))).Concat(heldOut.Skip(2).Take(2).Select(u => (u, Today.AddDays(5)))));

        var outcome = await _engine.Get<Reactivations>().MeasureAsync("wake-later", windowDays: 7, TestEngine.Deadline());

        Assert.Equal((heldOut.Count, 2), (outcome.HeldOut, outcome.HeldOutActive));
        var rows = await TestEngine.QueryAsync(_engine, TableNames.Reactivations, "PartitionKey eq 'wake-later'");
        Assert.Equal(heldOut.Skip(2).Take(2), rows.Select(r => r.GetString("UserId")).Order());
        Assert.All(rows, r => Assert.Equal(("2026-12-05", "2026-12-06"), (r.GetString("ExposedOn"), r.GetString("ActiveOn"))));
    }
}
