using Engagement.Activity;
using Engagement.Delivery;
using Engagement.Local.Demo;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Demo;

/// <summary>
/// The month demo on a small population: every night runs, the playbooks start themselves on the 1st,
/// and each run's outcome comes back with its counts; the weekly content run fires each Monday and its items are
/// opened and clicked; the same seed tells the same story.
/// </summary>
public sealed class DemoMonthTests : IAsyncLifetime
{
    private static readonly DateOnly FirstDay = new(2026, 11, 28);
    private const int Users = 600;
    private const int Days = 21;
    private readonly RecordingSender _sms = new(Channels.Sms);
    private LocalEngine _engine = null!;
    private DemoClock _clock = null!;

    public async Task InitializeAsync()
    {
        var calendar = new ActivityCalendar(Microsoft.Extensions.Options.Options.Create(new ActivityOptions()));
        _clock = new DemoClock(calendar.StartOf(FirstDay));
        // member day (the 18th) falls on the last timer of the three weeks: left out, the story here is the 1st's playbooks
        _engine = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(_sms), settings: new Dictionary<string, string?> { ["Playbooks:memberday:Enabled"] = "false" });
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task ThreeWeeksOverTheFirst_EveryNightRuns_BothPlaybooksRunOnce_AndEachRunHasItsOutcome()
    {
        var population = new DemoPopulation(Users, FirstDay.AddDays(-1), days: 120, seed: 11);
        await _engine.Get<UserStore>().ReplaceAsync([.. population.Generate(_engine.Get<ActivityCalendar>())], 4, TestEngine.Deadline());

        var result = await new DemoMonth(_engine, _clock, population, new DemoReactions(), seed: 11).RunAsync(Days, null, TestEngine.Deadline());

        Assert.Equal((FirstDay, FirstDay.AddDays(Days - 1), Days), (result.From, result.To, result.Nights));
        Assert.True(result.Events > 0);
        Assert.Equal(["highvalue", "winback"], result.Runs.Select(r => r.Playbook));
        var (_, winBack) = result.Runs.Single(r => r.Playbook == "winback");
        Assert.Equal("winback-2026-12", winBack.CampaignId);
        Assert.True(winBack.Targeted > 0 && winBack.HeldOut > 0 && winBack.Sent > 0);
        Assert.True(winBack.WindowClosed); // 1 Dec + 3 days to expire + 14 days of window, within three weeks
        Assert.Equal(winBack.Targeted - winBack.HeldOut, winBack.CouponsIssued);
        var (_, pack) = result.Runs.Single(r => r.Playbook == "highvalue");
        Assert.Equal(3 * pack.Targeted, pack.CouponsIssued);
        Assert.True(pack.CouponsRedeemed > 0);
        Assert.Equal(_sms.Sent.Count, _sms.Sent.Select(m => m.UserId).Distinct().Count()); // one SMS a user in the month

        // the weekly content run fired on each Monday's timer; the users answered through the ingest
        Assert.Equal(["content-2026-W51", "content-2026-W50", "content-2026-W49"], result.Content.Select(c => c.RunId));
        Assert.All(result.Content, c => Assert.True(c.Sent > 0 && c.HeldOut > 0 && c.Opened >= c.Clicked, $"{c.RunId}: {c}"));
        Assert.True(result.Content.Sum(c => c.Opened) > 0 && result.Content.Sum(c => c.Clicked) > 0);
        Assert.True(result.Content.Sum(c => c.SentMatching) > 0);
    }
}
