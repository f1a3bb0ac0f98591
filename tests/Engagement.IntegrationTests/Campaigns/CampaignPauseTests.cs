using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Local.Fakes;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// Pausing one campaign (a wrong offer went out): its chunks go back on the queue unsent and
/// unclaimed, other campaigns carry on, and after the unpause every recipient gets exactly one SMS.
/// </summary>
public sealed class CampaignPauseTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai
    private const int Users = 30;
    private TwilioFake _twilio = null!;
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _twilio = await TwilioFake.StartAsync();
        // how long a paused chunk stays away before it asks again
        _engine = await TestEngine.StartAsync(new StoppedClock(Now), settings: TestEngine.TwilioSettings(_twilio, "pause-test-token", ("Delivery:NotSentRetryDelay", "00:00:03")));
        await Population.SeedSmsRecipientsAsync(_engine, "p", "+861390055", Users, "regular");
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private static string Trigger(string id, string channel) => $$"""
        {"schemaVersion":1,"campaignId":"{{id}}","name":"Member day","audience":{"tiers":["regular"]},
         "channels":[{"channel":"{{channel}}","title":"Member day","template":"18% off today"}]}
        """;

    [Fact]
    public async Task APausedCampaign_SendsNothingUntilUnpaused_ThenEveryoneOnce()
    {
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, Trigger("pz-1", "sms"));
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, Trigger("pz-2", "inapp"));
        Assert.Equal(0, (await _engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline())).DeadLettered);
        var store = _engine.Get<CampaignStore>();
        Assert.True(await store.SetPausedAsync("pz-1", paused: true, TestEngine.Deadline()));
        Assert.False(await store.SetPausedAsync("no-such-campaign", paused: true, TestEngine.Deadline()));

        var paused = await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1));
        Assert.Empty(_twilio.Requests);
        Assert.True(paused.Remaining > 0, "the paused campaign's chunks should still be on the queue");
        Assert.All(await TestEngine.LedgerAsync(_engine, "pz-1"), r => Assert.Equal(DeliveryStates.Planned, r.State)); // not even claimed
        Assert.All(await TestEngine.LedgerAsync(_engine, "pz-2"), r => Assert.Equal(DeliveryStates.Accepted, r.State)); // the other campaign went on

        Assert.True(await store.SetPausedAsync("pz-1", paused: false, TestEngine.Deadline()));
        var resumed = await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(8));
        Assert.Equal(0, resumed.Remaining);
        Assert.All(await TestEngine.LedgerAsync(_engine, "pz-1"), r => Assert.Equal(DeliveryStates.Accepted, r.State));
        Assert.Equal(Users, _twilio.Taken.Count());
        Assert.Equal(Users, _twilio.Taken.Select(r => r.To).Distinct().Count());
    }
}
