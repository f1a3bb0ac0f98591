using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Ingest;
using Engagement.Activity;
using Engagement.Outcomes;
using Engagement.Playbooks;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Playbooks;

/// <summary>
/// The outcome step of the playbook timer: a run's outcome is recorded once its window can no longer be
/// open (expiry + attribution days), with the users who came back; before that, and after, nothing is measured.
/// </summary>
public sealed class PlaybookOutcomeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset December = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // after the 02:00 UTC occurrence
    private const int Dormant = 60;
    private readonly StoppedClock _clock = new(December);
    private readonly RecordingSender _sms = new(Channels.Sms);
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        // only the win-back: the high-value pack's 30-day window would keep this test waiting
        _engine = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(_sms), settings: new Dictionary<string, string?> { ["Playbooks:highvalue:Enabled"] = "false" });
        await Population.SeedSmsRecipientsAsync(_engine, "po", "+861380022", Dormant, "dormant");
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task WindowClosed_RecordsTheRunOnce_WithTheUsersWhoCameBack()
    {
        await _engine.Get<PlaybookRuns>().StartDueAsync(TestEngine.Deadline());
        await TestEngine.DrainAsync(_engine, QueueNames.CampaignTriggers);
        await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1));
        var outcomes = _engine.Get<PlaybookOutcomes>();

        // two reached users and one held-out user are active on 5 December
        var heldOut = Enumerable.Range(0, Dormant).Select(i => $"po{i:D3}").Where(u => CampaignPlanner.IsHeldOut("winback", u, 10)).ToList();
        var reached = Enumerable.Range(0, Dormant).Select(i => $"po{i:D3}").Except(heldOut).Take(2).ToList();
        var back = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.FromHours(8));
        await _engine.Get<ActivityIngestHandler>().IngestAsync(
            [.. reached.Concat(heldOut.Take(1)).Select(u => new ActivityEvent("back-" + u, u, ActivityType.Login, 0, null, back))], TestEngine.Deadline());

        _clock.SetUtcNow(December.AddDays(10));
        Assert.Equal("waiting", Assert.Single(await outcomes.RecordClosedAsync(TestEngine.Deadline())).Step);
        Assert.Null(await _engine.Get<RunOutcomes>().LatestAsync("winback-2026-12", TestEngine.Deadline()));

        _clock.SetUtcNow(December.AddDays(3 + 14)); // expiry (3 days) + attribution (14 days)
        var recorded = Assert.Single(await outcomes.RecordClosedAsync(TestEngine.Deadline()));
        Assert.Equal("recorded", recorded.Step);
        Assert.True(recorded.Outcome!.WindowClosed);
        Assert.Equal((2, 1, Dormant - heldOut.Count, heldOut.Count), (recorded.Outcome.ReachedActive, recorded.Outcome.HeldOutActive, recorded.Outcome.Reached, (int)recorded.Outcome.HeldOut));

        _clock.SetUtcNow(December.AddDays(20));
        var again = Assert.Single(await outcomes.RecordClosedAsync(TestEngine.Deadline()));
        Assert.Equal("done", again.Step);
        Assert.Equal(recorded.Outcome.MeasuredAt, again.Outcome!.MeasuredAt);
    }
}
