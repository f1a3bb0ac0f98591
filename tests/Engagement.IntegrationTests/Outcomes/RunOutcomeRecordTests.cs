using Engagement.Delivery;
using Engagement.Outcomes;
using Engagement.Users;
using Engagement.Wallet;

namespace Engagement.IntegrationTests.Outcomes;

/// <summary>
/// A run's outcome record on Azurite: a small campaign with a holdout, some users active again, measured
/// while the window is open and again after it closed: one row, replaced, with the counts, the coupons and the lift.
/// </summary>
public sealed class RunOutcomeRecordTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai
    private static readonly DateOnly Today = new(2026, 12, 1);
    private const string CampaignId = "winback-2026-12";
    private readonly StoppedClock _clock = new(Now);
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync(_clock);
        await Population.SeedRecipientsAsync(_engine, Enumerable.Range(0, 30).Select(i => ($"r{i:D3}", new UserProfile { TimeZone = "Asia/Shanghai", Source = "test" }, "dormant")));
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task RecordedTwice_OneRowReplaced_WithTheCountsAndTheLift()
    {
        await TestEngine.RunCampaignAsync(_engine, $$"""
            {"schemaVersion":1,"campaignId":"{{CampaignId}}","name":"Win-back","audience":{"tiers":["dormant"]},
             "channels":[{"channel":"inapp","title":"It has been a while","template":"30% off until Sunday"}],"holdoutPercent":40,
             "coupons":[{"item":"winback-7d","value":20,"currency":"CNY","validDays":7}]}
            """);
        var ledger = await TestEngine.LedgerAsync(_engine, CampaignId);
        var reached = ledger.Where(r => r.State == DeliveryStates.Accepted).Select(r => r.UserId!).Order().ToList();
        var heldOut = ledger.Where(r => r.State == DeliveryStates.HeldOut).Select(r => r.UserId!).Order().ToList();
        Assert.True(reached.Count >= 4 && heldOut.Count >= 2, $"{reached.Count} reached, {heldOut.Count} held out");

        // the next day: 4 reached users and 1 held-out user come back
        _clock.Advance(TimeSpan.FromDays(2));
        var events = reached.Take(4).Append(heldOut[0]).Select((u, i) => ActivityJson.Login($"back-{u}-{i}", u, ActivityJson.At(Today.AddDays(1), 20))).ToArray();
        await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, ActivityJson.Many(events));
        Assert.Equal(0, (await _engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline())).DeadLettered);

        // two of them redeem their coupon
        var wallet = _engine.Get<WalletStore>();
        foreach (var user in reached.Take(2))
        {
            var coupon = Assert.Single(await wallet.WalletAsync(user, TestEngine.Deadline()));
            Assert.True((await wallet.RedeemAsync(user, coupon.Code, TestEngine.Deadline())).Redeemed);
        }

        var outcomes = _engine.Get<RunOutcomes>();
        var open = await outcomes.RecordAsync(CampaignId, windowDays: 7, TestEngine.Deadline());
        Assert.False(open.WindowClosed);

        // after the window closed: final, and the same row
        _clock.Advance(TimeSpan.FromDays(7));
        var closed = await outcomes.RecordAsync(CampaignId, windowDays: 7, TestEngine.Deadline());
        Assert.True(closed.WindowClosed);
        Assert.Equal((30L, (long)heldOut.Count, (long)reached.Count), (closed.Targeted, closed.HeldOut, closed.Sent));
        Assert.Equal(new Dictionary<string, long> { ["inapp"] = reached.Count }, closed.SentByChannel);
        Assert.Equal((reached.Count, 4, 1), (closed.Reached, closed.ReachedActive, closed.HeldOutActive));
        var expected = ProportionDifference.Newcombe(4, reached.Count, 1, heldOut.Count)!.Value.Scale(100);
        Assert.Equal(expected, closed.Lift);
        Assert.Equal(((long)reached.Count, 2L), (closed.CouponsIssued, closed.CouponsRedeemed)); // the holdout gets none

        var rows = await TestEngine.QueryAsync(_engine, TableNames.RunOutcomes, $"PartitionKey eq '{CampaignId}'");
        Assert.Equal(["w07"], rows.Select(r => r.RowKey));
        var latest = (await outcomes.LatestAsync(CampaignId, TestEngine.Deadline()))!;
        Assert.Equal(closed with { SentByChannel = latest.SentByChannel }, latest);
        Assert.Equal(closed.SentByChannel, latest.SentByChannel);
        Assert.Equal(Now.AddDays(9), latest.MeasuredAt);
    }
}
