using Azure;
using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.IntegrationTests.Cli;
using Engagement.Playbooks;
using Engagement.Storage;
using Engagement.Users;
using Engagement.Wallet;

namespace Engagement.IntegrationTests.Playbooks;

/// <summary>
/// Member day on Azurite with a stopped clock: on the 18th each level band's campaign gives its members the band's
/// coupon (levels from the user row's Level column, absent = 1); the timer again starts nothing twice; the status
/// has a line per band; the CLI runs, previews and lists the bands.
/// </summary>
public sealed class MemberDayTests : IAsyncLifetime
{
    // 12:00 in Shanghai on 18 Dec, after the occurrence (02:00 UTC = 10:00 Shanghai)
    private readonly StoppedClock _clock = new(new DateTimeOffset(2026, 12, 18, 4, 0, 0, TimeSpan.Zero));
    private LocalEngine _engine = null!;

    /// <summary>User, tier, level (null: no Level column) and the coupon value the default bands give.</summary>
    private static readonly (string User, string Tier, int? Level, decimal Coupon)[] Members =
    [
        ("m-none", "dormant", null, 10),
        ("m-l1", "regular", 1, 10),
        ("m-l2", "potential", 2, 10),
        ("m-l5", "regular", 5, 30),
        ("m-l7", "high-value", 7, 80),
        ("m-l8", "dormant", 8, 80),
    ];

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync(_clock);
        await Population.SeedRecipientsAsync(_engine, Members.Select(m => (m.User, new UserProfile { TimeZone = "Asia/Shanghai", ConsentInApp = true, Source = "test" }, m.Tier)));

        // the Level column as the ingest writes it (an int, only once the user has levelled up)
        var users = await _engine.Get<StorageClients>().TableAsync(TableNames.Users);
        var shards = _engine.Get<UserShards>();
        foreach (var (user, _, level, _) in Members.Where(m => m.Level is not null))
        {
            await users.UpdateEntityAsync(new TableEntity(shards.Of(user), user) { [UserEntity.Level] = level }, ETag.All, TableUpdateMode.Merge);
        }
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private PlaybookRuns Runs => _engine.Get<PlaybookRuns>();

    private async Task DrainAsync()
    {
        Assert.Equal(0, (await TestEngine.DrainAsync(_engine, QueueNames.CampaignTriggers)).DeadLettered);
        Assert.Equal(0, (await TestEngine.DrainAsync(_engine, QueueNames.Deliveries)).DeadLettered);
    }

    [Fact]
    public async Task OnThe18th_EachLevelBandGetsItsBenefit_AndTheTimerAgainGivesNothingTwice()
    {
        var first = (await Runs.StartDueAsync(TestEngine.Deadline())).Where(s => s.Playbook == PlaybookDefaults.MemberDay).ToList();
        await DrainAsync();
        var again = (await Runs.StartDueAsync(TestEngine.Deadline())).Where(s => s.Playbook == PlaybookDefaults.MemberDay).ToList();
        await DrainAsync();

        string[] bands = ["memberday-2026-12-l1-3", "memberday-2026-12-l4-6", "memberday-2026-12-l7-8"];
        Assert.Equal(bands.Select(b => (b, PlaybookStartOutcomes.Started)), first.Select(s => (s.RunId!, s.Outcome)));
        Assert.Equal(bands.Select(b => (b, PlaybookStartOutcomes.AlreadyStarted)), again.Select(s => (s.RunId!, s.Outcome)));
        foreach (var (user, _, level, value) in Members)
        {
            var coupon = Assert.Single(await _engine.Get<WalletStore>().WalletAsync(user, TestEngine.Deadline()));
            Assert.Equal((value, "CNY", _clock.GetUtcNow().AddDays(3)), (coupon.Value, coupon.Currency, coupon.ValidUntil));
            var message = Assert.Single(await _engine.Get<Inbox>().ListAsync(user, includeExpired: true, TestEngine.Deadline()));
            Assert.Equal(coupon.IssueKey, message.CampaignId);
            Assert.True(message.Body.Contains($"{value}元优惠券（{coupon.DisplayCode}）", StringComparison.Ordinal), message.Body); // a Shanghai user reads Chinese
        }

        var status = (await Runs.StatusAsync(PlaybookDefaults.MemberDay, 2, TestEngine.Deadline())).Where(s => s.Period == "2026-12").ToList(); // the next run (January) first
        Assert.Equal(bands.Select(b => (b, CampaignStates.Planned)), status.Select(s => (s.RunId, s.Campaign!.State)));
        Assert.Equal(["levels 1-3", "levels 4-6", "levels 7-8"], status.Select(s => s.Levels));
        Assert.Equal([3L, 1L, 2L], status.Select(s => s.CouponsIssued));
        Assert.Equal([3L, 1L, 2L], status.Select(s => s.Deliveries.Where(d => d.Key.Channel == Channels.InApp && d.Key.State == DeliveryStates.Accepted).Sum(d => d.Value)));

        // each band's outcome is recorded once its window has closed (expiry 3 days + attribution 14 days)
        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero));
        var steps = (await _engine.Get<PlaybookOutcomes>().RecordClosedAsync(TestEngine.Deadline())).Where(s => s.Playbook == PlaybookDefaults.MemberDay).ToList();
        Assert.Equal(bands.Select(b => (b, "recorded")), steps.Select(s => (s.RunId, s.Step)));
        Assert.Equal([3, 1, 2], steps.Select(s => s.Outcome!.Reached));
    }

    [Fact]
    public async Task Preview_OnePerBand_ShowsWhoWouldGetWhat_WithoutRecordingAnything()
    {
        var previews = await Runs.PreviewAsync(PlaybookDefaults.MemberDay, "2026-12", 10, TestEngine.Deadline());

        Assert.Equal(["memberday-2026-12-l1-3", "memberday-2026-12-l4-6", "memberday-2026-12-l7-8"], previews.Select(p => p.Trigger.CampaignId));
        Assert.Equal([["m-l1", "m-l2", "m-none"], ["m-l5"], ["m-l7", "m-l8"]],
            previews.Select(p => p.Preview.Samples.Where(s => s.Outcome == "send").Select(s => s.UserId).Order(StringComparer.Ordinal).ToArray()));
        Assert.Contains("30元", previews[1].Preview.Samples.Single().Text, StringComparison.Ordinal);
        Assert.Null(await _engine.Get<CampaignStore>().GetAsync("memberday-2026-12-l1-3", TestEngine.Deadline()));
        Assert.Empty(await _engine.Get<WalletStore>().WalletAsync("m-l5", TestEngine.Deadline()));
    }

    private async Task<(int ExitCode, string Output)> EngageAsync(params string[] args)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = _engine.Azurite!.ConnectionString,
            ["Storage:UserShards"] = TestEngine.Shards.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        using var engage = EngageProcess.Start(settings, args);
        Assert.True(await engage.ExitsWithinAsync(TimeSpan.FromMinutes(1)), $"engage {string.Join(' ', args)} did not exit");
        return (engage.Process.ExitCode, engage.Output + engage.Errors);
    }

    [Fact]
    public async Task Cli_RunsListsAndShowsTheBands()
    {
        // the CLI reads the system clock: a period far ahead is started and waits for its sendAt
        var run = await EngageAsync("playbook", "run", "memberday", "--period", "2031-01");
        Assert.Equal(0, (await TestEngine.DrainAsync(_engine, QueueNames.CampaignTriggers)).DeadLettered);
        var again = await EngageAsync("playbook", "run", "memberday", "--period", "2031-01");
        var list = await EngageAsync("playbook", "list");
        var status = await EngageAsync("playbook", "status", "memberday", "--periods", "1");

        Assert.True(run.ExitCode == 0 && run.Output.Contains("started: memberday-2031-01-l1-3 enqueued", StringComparison.Ordinal), run.Output);
        Assert.Contains("memberday-2031-01-l7-8 enqueued", run.Output, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0 && again.Output.Contains("already-started: memberday-2031-01-l1-3 was started already", StringComparison.Ordinal), again.Output);
        Assert.Equal(CampaignStates.Planned, (await _engine.Get<CampaignStore>().GetAsync("memberday-2031-01-l4-6", TestEngine.Deadline()))?.State);
        Assert.Contains("levels 4-6 (l4-6): memberday-l4-6 30 CNY 3d", list.Output, StringComparison.Ordinal);
        Assert.Matches(@"memberday-\d{4}-\d{2}-l7-8 \(levels 7-8\)", status.Output);
    }
}
