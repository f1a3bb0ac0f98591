using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Content;
using Engagement.Delivery;
using Engagement.Playbooks;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.IntegrationTests.Content;

/// <summary>
/// The weekly content run on Azurite with a stopped clock (issue 13): each week a regular user gets one item of their
/// interest and never the same one twice; the timer firing twice (or two instances at once) sends one item; a run
/// dying after its records and before the hand-off finishes on resume and nobody gets a second item; the holdout gets
/// nothing and is counted; a user of another tier gets nothing. Pushes are counted at the fake provider.
/// </summary>
public sealed class ContentWeeklyRunTests : IAsyncLifetime
{
    /// <summary>Monday 7 Dec 2026 02:05 UTC (10:05 in Shanghai): five minutes after the default schedule's occurrence, week 2026-W50.</summary>
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 2, 5, 0, TimeSpan.Zero);

    private readonly StoppedClock _clock = new(Monday);
    private readonly RecordingSender _push = new(Channels.Push);
    private readonly EngineGroup _engines = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _engines.DisposeAllAsync();

    private async Task<LocalEngine> StartAsync(int holdoutPercent, FaultingLoggerProvider? faults = null, LocalEngine? sharing = null)
    {
        var engine = await TestEngine.StartAsync(
            _clock,
            s =>
            {
                s.AddSingleton<IChannelSender>(_push);
                if (faults is not null)
                {
                    s.AddLogging(b => b.ClearProviders().AddProvider(faults));
                }
            },
            faults is null ? LogLevel.Error : LogLevel.Debug,
            existingStorage: sharing?.Azurite!.ConnectionString,
            settings: new Dictionary<string, string?> { ["Content:Weekly:HoldoutPercent"] = holdoutPercent.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return _engines.Add(engine);
    }

    /// <summary>Eight fitness items, a toy ad that outranks them by priority, a recipe; all active from a month before.</summary>
    private static async Task SeedCatalogueAsync(LocalEngine engine)
    {
        ContentItem Item(string id, int priority, params string[] categories) =>
            new(id, "title " + id, "body of " + id, "app://content/" + id, categories, [], "zh-CN", Monday.AddDays(-30), null, priority);
        await engine.Get<ContentStore>().UpsertAsync([.. Enumerable.Range(1, 8).Select(i => Item($"fit-{i}", 1, "fitness")), Item("toy-ad", 9, "toys"), Item("cake", 1, "recipes")], TestEngine.Deadline());
    }

    /// <summary>Users of a tier in Shanghai with a push token, each with a fitness interest from a purchase a week ago.</summary>
    private static async Task SeedUsersAsync(LocalEngine engine, string tier, params string[] users)
    {
        await Population.SeedRecipientsAsync(engine, users.Select(u => (u, new UserProfile { TimeZone = "Asia/Shanghai", PushToken = "tok-" + u, ConsentPush = true, ConsentInApp = true, Source = "test" }, tier)));
        var interests = InterestProfile.Empty.Add(ActivityType.Purchase, "fitness", Monday.AddDays(-7), new ContentPickOptions()).Format();
        var table = await engine.Get<StorageClients>().TableAsync(TableNames.Users);
        foreach (var u in users)
        {
            await table.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(engine.Get<UserShards>().Of(u), u) { [UserEntity.InterestWeights] = interests }, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);
        }
    }

    private static Task<ContentRunResult> RunDueAsync(LocalEngine engine) => engine.Get<ContentWeeklyRun>().RunDueAsync(TestEngine.Deadline());

    private static async Task DrainDeliveriesAsync(LocalEngine engine) =>
        Assert.Equal(0, (await engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1))).DeadLettered);

    private int PushesTo(string user) => _push.Sent.Count(m => m.UserId == user);

    private static string RunIdAt(DateTimeOffset at) => PlaybookSchedule.RunId(ContentWeeklyRun.Playbook, new PlaybookSchedule("content", "0 0 2 * * 1", PlaybookPeriod.Week, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).PeriodOf(at));

    [Fact]
    public async Task SixWeeklyRuns_ARegularUserGetsSixDifferentItemsOfTheirInterest_AnotherTierGetsNothing()
    {
        var engine = await StartAsync(holdoutPercent: 0);
        await SeedCatalogueAsync(engine);
        await SeedUsersAsync(engine, "regular", "reg-1");
        await SeedUsersAsync(engine, "potential", "pot-1");

        var items = new List<string>();
        for (var week = 0; week < 6; week++)
        {
            var result = await RunDueAsync(engine);
            Assert.Equal((PlaybookStartOutcomes.Started, 1, 0), (result.Outcome, result.Picked, result.HeldOut));
            await DrainDeliveriesAsync(engine);

            var pick = await engine.Get<ContentRunStore>().PickAsync(RunIdAt(_clock.GetUtcNow()), "reg-1", TestEngine.Deadline());
            Assert.NotNull(pick);
            Assert.Equal(["fitness"], pick.Categories); // never the toy ad, though it has the highest priority
            Assert.Equal(ContentPickBasis.Interest, pick.Basis);
            Assert.StartsWith("content-", pick.CampaignId, StringComparison.Ordinal);
            Assert.Single(await TestEngine.LedgerAsync(engine, pick.CampaignId!), r => r.UserId == "reg-1" && r.Channel == Channels.Push && r.State == DeliveryStates.Accepted);
            items.Add(pick.ItemId!);
            _clock.Advance(TimeSpan.FromDays(7));
        }

        Assert.Equal(6, items.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(6, PushesTo("reg-1"));
        Assert.Equal(0, PushesTo("pot-1"));
        Assert.Null(await engine.Get<ContentRunStore>().PickAsync(RunIdAt(Monday), "pot-1", TestEngine.Deadline()));
        var sent = ContentSentText.Parse((await engine.Get<UserStore>().ColumnsOfAsync(["reg-1"], [UserEntity.ContentSent], TestEngine.Deadline()))["reg-1"].GetString(UserEntity.ContentSent));
        Assert.Equal(items, sent.Select(s => s.ItemId));
    }

    [Fact]
    public async Task TimerFiringTwiceAtOnceAndAgainLaterInTheWeek_SendsOneItem()
    {
        var engine = await StartAsync(holdoutPercent: 0);
        await SeedCatalogueAsync(engine);
        string[] users = ["a-1", "a-2", "a-3"];
        await SeedUsersAsync(engine, "regular", users);

        var both = await Task.WhenAll(RunDueAsync(engine), RunDueAsync(engine)); // two instances' timers at once
        Assert.All(both, r => Assert.Equal(3, r.Picked));
        await DrainDeliveriesAsync(engine);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var again = await RunDueAsync(engine);
        _clock.Advance(TimeSpan.FromDays(2));
        var later = await RunDueAsync(engine);
        await DrainDeliveriesAsync(engine);

        Assert.Equal([PlaybookStartOutcomes.AlreadyStarted, PlaybookStartOutcomes.AlreadyStarted], new[] { again.Outcome, later.Outcome });
        Assert.Equal(PlaybookStartOutcomes.NotDue, (await engine.Get<ContentWeeklyRun>().RunAsync("2026-W51", TestEngine.Deadline())).Outcome); // next week's, asked for by hand
        Assert.Null(await engine.Get<ContentRunStore>().HeaderAsync("content-2026-W51", TestEngine.Deadline()));
        Assert.All(users, u => Assert.Equal(1, PushesTo(u)));
        Assert.All(users, u => Assert.Single(ContentSentText.Parse(ColumnOf(engine, u, UserEntity.ContentSent))));
        var header = await engine.Get<ContentRunStore>().HeaderAsync(RunIdAt(Monday), TestEngine.Deadline());
        Assert.Equal((ContentRunStates.Done, 3, 1), (header!.State, header.Picked, header.Campaigns));
    }

    [Fact]
    public async Task RunDyingAfterItsRecordsBeforeTheHandOff_FinishesOnResume_NobodyGetsASecondItem()
    {
        var faults = new FaultingLoggerProvider("LogRecorded");
        var crashing = await StartAsync(holdoutPercent: 0, faults);
        await SeedCatalogueAsync(crashing);
        string[] users = ["c-1", "c-2"];
        await SeedUsersAsync(crashing, "regular", users);

        var crash = await Assert.ThrowsAnyAsync<Exception>(() => RunDueAsync(crashing));
        Assert.Contains("injected crash", crash.ToString(), StringComparison.Ordinal);
        var recorded = await crashing.Get<ContentRunStore>().PicksAsync(RunIdAt(Monday), TestEngine.Deadline());
        Assert.Equal(users, recorded.Keys.Order(StringComparer.Ordinal));
        Assert.Null(await crashing.Get<CampaignStore>().GetAsync(recorded["c-1"].CampaignId!, TestEngine.Deadline())); // nothing handed off

        // another instance on the same storage resumes at the next timer: the recorded picks go out, nothing is picked again
        var resumed = await StartAsync(holdoutPercent: 0, sharing: crashing);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var result = await RunDueAsync(resumed);
        await DrainDeliveriesAsync(resumed);
        Assert.Equal((PlaybookStartOutcomes.Started, 2, 1), (result.Outcome, result.Picked, result.HandedOff));
        static IEnumerable<(string, string?, string?)> Keys(IReadOnlyDictionary<string, ContentRunPick> picks) =>
            picks.Values.OrderBy(p => p.UserId, StringComparer.Ordinal).Select(p => (p.UserId, p.ItemId, p.CampaignId));
        Assert.Equal(Keys(recorded), Keys(await resumed.Get<ContentRunStore>().PicksAsync(RunIdAt(Monday), TestEngine.Deadline())));
        Assert.Equal(PlaybookStartOutcomes.AlreadyStarted, (await RunDueAsync(resumed)).Outcome);
        await DrainDeliveriesAsync(resumed);
        Assert.All(users, u => Assert.Equal(1, PushesTo(u)));
        Assert.All(users, u => Assert.Single(ContentSentText.Parse(ColumnOf(resumed, u, UserEntity.ContentSent))));
    }

    [Fact]
    public async Task HeldOutUsers_GetNothing_AndAreCountedAndRecordedWithTheirWouldBePick()
    {
        var engine = await StartAsync(holdoutPercent: 50);
        await SeedCatalogueAsync(engine);
        var runId = RunIdAt(Monday);
        var users = Enumerable.Range(0, 12).Select(i => $"h-{i}").ToArray();
        var held = users.Where(u => CampaignPlanner.IsHeldOut(runId, u, 50)).Order(StringComparer.Ordinal).ToArray();
        Assert.InRange(held.Length, 1, users.Length - 1);
        await SeedUsersAsync(engine, "regular", users);

        var result = await RunDueAsync(engine);
        await DrainDeliveriesAsync(engine);

        Assert.Equal((users.Length - held.Length, held.Length), (result.Picked, result.HeldOut));
        var picks = await engine.Get<ContentRunStore>().PicksAsync(runId, TestEngine.Deadline());
        Assert.Equal(held, picks.Values.Where(p => p.HeldOut).Select(p => p.UserId).Order(StringComparer.Ordinal));
        Assert.All(held, u => Assert.Equal((0, "", (string?)null), (PushesTo(u), ColumnOf(engine, u, UserEntity.ContentSent), picks[u].CampaignId)));
        Assert.All(held, u => Assert.Equal(["fitness"], picks[u].Categories));
        Assert.All(users.Except(held), u => Assert.Equal(1, PushesTo(u)));
        Assert.Equal(held.Length, (await engine.Get<ContentRunStore>().HeaderAsync(runId, TestEngine.Deadline()))!.HeldOut);
    }

    private static string ColumnOf(LocalEngine engine, string user, string column) =>
        engine.Get<UserStore>().ColumnsOfAsync([user], [column], TestEngine.Deadline()).GetAwaiter().GetResult()[user].GetString(column) ?? "";
}
