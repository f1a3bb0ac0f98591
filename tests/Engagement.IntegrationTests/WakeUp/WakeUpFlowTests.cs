using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Ingest;
using Engagement.Points;
using Engagement.Segmentation;
using Engagement.Users;
using Engagement.WakeUp;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.WakeUp;

/// <summary>
/// The 7-day wake-up plan end to end on Azurite with a fake clock moved hour by hour: plans start from tier transitions,
/// the timer hands each day's step to the campaign pipeline at noon in the user's own zone (push, or in-app without a
/// token), activity completes steps (points once, whatever replays), a user leaving the tier upward gets nothing more,
/// a held-out user gets nothing and is counted, and a clock change moves no step off its local day or hour.
/// </summary>
public sealed class WakeUpFlowTests : IAsyncLifetime
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private readonly RecordingSender _push = new(Channels.Push);
    private StoppedClock _clock = null!;
    private LocalEngine _engine = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }
    }

    private async Task StartAsync(DateTimeOffset now, params (string Id, string Zone, bool Token)[] users)
    {
        _clock = new StoppedClock(now);
        _engine = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(_push));
        await Population.SeedRecipientsAsync(_engine, users.Select(u => (u.Id, new UserProfile
        {
            TimeZone = u.Zone,
            PushToken = u.Token ? "tok-" + u.Id : null,
            ConsentPush = true,
            ConsentInApp = true,
            Source = "test",
        }, "potential")));
    }

    private Task<WakeUpStartResult> EnterAsync(params string[] users) =>
        _engine.Get<WakeUpStarter>().ApplyAsync([.. users.Select(u => new TierTransition(u, "regular", "potential", default))], TestEngine.Deadline());

    /// <summary>Moves the clock an hour at a time to <paramref name="until"/>, running the timer's send pass and the deliveries at each hour.</summary>
    private async Task RunHoursAsync(DateTimeOffset until)
    {
        while (_clock.GetUtcNow() < until)
        {
            _clock.Advance(TimeSpan.FromHours(1));
            var result = await _engine.Get<WakeUpSender>().SendDueAsync(TestEngine.Deadline());
            if (result.Sent > 0)
            {
                Assert.Equal(0, (await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1))).DeadLettered);
            }
        }
    }

    private async Task<(WakeUpPlanRow Plan, IReadOnlyList<WakeUpStepRow> Steps)> PlanOf(string user) =>
        Assert.Single(await _engine.Get<WakeUpPlanStore>().PlansAsync(user, TestEngine.Deadline()));

    private static string HeldOutId() =>
        Enumerable.Range(0, 1000).Select(i => $"held-{i}").First(id => CampaignPlanner.IsHeldOut(WakeUpDecisions.HoldoutKey, id, new WakeUpOptions().HoldoutPercent));

    private static string TreatedId(string prefix) =>
        Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}").First(id => !CampaignPlanner.IsHeldOut(WakeUpDecisions.HoldoutKey, id, new WakeUpOptions().HoldoutPercent));

    private async Task<IReadOnlyList<DeliveryRow>> DeliveriesOf(string user, IReadOnlyList<WakeUpStepRow> steps)
    {
        var rows = new List<DeliveryRow>();
        foreach (var batch in steps.Select(s => s.Batch).OfType<string>().Distinct())
        {
            rows.AddRange((await TestEngine.LedgerAsync(_engine, batch)).Where(r => r.UserId == user));
        }

        return rows;
    }

    [Fact]
    public async Task TwoZones_SevenStepsOnSevenLocalDaysAtNoon_PushOrInApp_CompletionsAwardOnce_LeavingUpwardStops_HeldOutGetsNothing()
    {
        var sh = TreatedId("sh");
        var ny = TreatedId("ny");
        var up = TreatedId("up");
        var held = HeldOutId();
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero); // 08:00 in Shanghai, 19:00 the day before in New York
        await StartAsync(start, (sh, "Asia/Shanghai", true), (ny, "America/New_York", false), (up, "Asia/Shanghai", true), (held, "Asia/Shanghai", true));

        var started = await EnterAsync(sh, ny, up, held);
        Assert.Equal((3, 1), (started.Started, started.HeldOut));
        Assert.Equal((0, 0), ((await EnterAsync(sh, ny, up, held)).Started, (await EnterAsync(sh)).HeldOut)); // a replayed night starts nothing

        // Shanghai's first day is 1 Dec (its noon is ahead); New York's clock says 30 Nov 19:00, so its first day is 1 Dec too
        var firstSh = new DateOnly(2026, 12, 1);
        var ingest = _engine.Get<ActivityIngestHandler>();
        async Task DoAsync(string eventId, string type, string? category, DateTimeOffset at)
        {
            await RunHoursAsync(at); // the timer runs up to the event's hour, then the user acts
            var body = ActivityJson.One(ActivityJson.Event(eventId, sh, type, type == "purchase" ? 10m : null, category, at));
            for (var copy = 0; copy < 3; copy++)
            {
                await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, body); // every event arrives three times
            }

            var drained = await TestEngine.DrainAsync(_engine, QueueNames.ActivityEvents);
            Assert.True(drained.DeadLettered == 0, string.Join("; ", (await TestEngine.ErrorRowsAsync(_engine, QueueNames.ActivityEvents)).Select(e => e.GetString("Error"))));
        }

        // day 1 (check in), before the step is sent: a login at 09:00 completes nothing
        await DoAsync("early", "login", null, new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero));
        await RunHoursAsync(new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero)); // 13:00 in Shanghai: step 1 out
        await DoAsync("d1", "login", null, new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));
        await RunHoursAsync(new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero));
        await DoAsync("d2", "interaction", "fitness", new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero)); // like a post
        await RunHoursAsync(new DateTimeOffset(2026, 12, 3, 5, 0, 0, TimeSpan.Zero));
        await DoAsync("d3-wrong", "interaction", "fitness", new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.Zero)); // the task wants the profile
        await DoAsync("d3", "interaction", "profile", new DateTimeOffset(2026, 12, 3, 7, 0, 0, TimeSpan.Zero));

        // the night after day 3: the "up" user moved to high-value; steps 4..7 are cancelled at once
        var ended = await _engine.Get<WakeUpStarter>().ApplyAsync([new TierTransition(up, "potential", "high-value", default)], TestEngine.Deadline());
        Assert.Equal(1, ended.Ended);
        await RunHoursAsync(new DateTimeOffset(2026, 12, 9, 6, 0, 0, TimeSpan.Zero));

        // Shanghai: seven steps, one per local day from 1 Dec, each handed off at 12:00 local, by push
        var (shPlan, shSteps) = await PlanOf(sh);
        Assert.Equal(WakeUpPlanStates.Completed, shPlan.State);
        Assert.Equal(Enumerable.Range(0, 7).Select(d => (firstSh.AddDays(d), new TimeOnly(12, 0))),
            shSteps.Select(s => (DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Step.SentAt!.Value, Shanghai).DateTime), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Step.SentAt!.Value, Shanghai).DateTime))));
        Assert.Equal(["completed", "completed", "completed", "missed", "missed", "missed", "missed"], shSteps.Select(s => s.Step.State));
        Assert.Equal(["d1", "d2", "d3"], shSteps.Take(3).Select(s => s.CompletedBy));
        Assert.Equal(7, _push.Sent.Count(m => m.UserId == sh));
        var shDeliveries = await DeliveriesOf(sh, shSteps);
        Assert.Equal(7, shDeliveries.Count(r => r.Channel == Channels.Push && r.State == DeliveryStates.Accepted));
        Assert.Equal(7, shDeliveries.Count(r => r.Channel == Channels.InApp && r.State == DeliveryStates.Skipped && r.Reason == "reached-by-push"));

        // three tasks, three awards, although every event came three times
        var entries = await _engine.Get<PointsStore>().EntriesAsync(sh, TestEngine.Deadline());
        Assert.Equal([WakeUpCompletions.PointsKey(shPlan.PlanId, 1), WakeUpCompletions.PointsKey(shPlan.PlanId, 2), WakeUpCompletions.PointsKey(shPlan.PlanId, 3)],
            entries.Where(e => e.SourceKey.StartsWith("wakeup-", StringComparison.Ordinal)).Select(e => e.SourceKey).Order(StringComparer.Ordinal));
        Assert.Equal(5 + 10 + 20, entries.Where(e => e.SourceKey.StartsWith("wakeup-", StringComparison.Ordinal)).Sum(e => e.Points));
        // and the activity itself earned once per event (five events, each delivered three times)
        Assert.Equal(["activity-d1", "activity-d2", "activity-d3", "activity-d3-wrong", "activity-early"],
            entries.Where(e => e.SourceKey.StartsWith("activity-", StringComparison.Ordinal)).Select(e => e.SourceKey).Order(StringComparer.Ordinal));

        // New York: its own noon on seven local days, in-app (no push token)
        var (nyPlan, nySteps) = await PlanOf(ny);
        Assert.Equal(WakeUpPlanStates.Completed, nyPlan.State);
        Assert.All(nySteps, s => Assert.Equal(new TimeOnly(12, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Step.SentAt!.Value, NewYork).DateTime)));
        Assert.Equal(Enumerable.Range(0, 7).Select(d => nyPlan.FirstDay.AddDays(d)), nySteps.Select(s => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Step.SentAt!.Value, NewYork).DateTime)));
        Assert.Equal(0, _push.Sent.Count(m => m.UserId == ny));
        var nyDeliveries = await DeliveriesOf(ny, nySteps);
        Assert.Equal(7, nyDeliveries.Count(r => r.Channel == Channels.InApp && r.State == DeliveryStates.Accepted));

        // left the tier on day 3: steps 1..3 sent, no step 4
        var (upPlan, upSteps) = await PlanOf(up);
        Assert.Equal(WakeUpPlanStates.Ended, upPlan.State);
        Assert.Contains("left the tier upward", upPlan.EndReason, StringComparison.Ordinal);
        Assert.Equal(["missed", "missed", "missed", "cancelled", "cancelled", "cancelled", "cancelled"], upSteps.Select(s => s.Step.State));
        Assert.Equal(3, _push.Sent.Count(m => m.UserId == up));

        // held out: a plan row that says so, no steps, nothing sent
        var (heldPlan, heldSteps) = await PlanOf(held);
        Assert.Equal(WakeUpPlanStates.HeldOut, heldPlan.State);
        Assert.Empty(heldSteps);
        Assert.Equal(0, _push.Sent.Count(m => m.UserId == held));

        // the cohort's outcome: the held-out user is counted, steps and completions per step, the points of three tasks
        var cohort = Assert.Single(await _engine.Get<WakeUpOutcomes>().CohortsAsync(TestEngine.Deadline()));
        Assert.Equal(("2026-W49", 3, 1, 1), (cohort.Week, cohort.Treated, cohort.HeldOut, cohort.Ended));
        Assert.Equal([3, 3, 3, 2, 2, 2, 2], cohort.SentPerStep);
        Assert.Equal([1, 1, 1, 0, 0, 0, 0], cohort.CompletedPerStep);
        Assert.Equal(35, cohort.PointsAwarded);
        Assert.False(cohort.Closed); // the first month runs to 30 Dec
    }

    /// <summary>
    /// The send pass's own check (tier and consents as of now, read for many users a request): a user who opted out of every
    /// channel, one whose row says a better tier before the nightly's transition reached the starter, and one whose row is
    /// gone get no step 2, their plans end with the reason and the pending steps are cancelled; the others' steps go out.
    /// </summary>
    [Fact]
    public async Task ThePassChecksTheUsersAsOfNow_OptedOutOrUpwardOrGone_EndsThePlan_NoNextStep()
    {
        var keep = Enumerable.Range(0, 1000).Select(i => $"keep-{i}").Where(id => !CampaignPlanner.IsHeldOut(WakeUpDecisions.HoldoutKey, id, new WakeUpOptions().HoldoutPercent)).Take(16).ToArray();
        var (optedOut, upward, gone) = (TreatedId("out"), TreatedId("upward"), TreatedId("gone"));
        await StartAsync(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), [.. keep.Append(optedOut).Append(upward).Append(gone).Select(u => (u, "Asia/Shanghai", true))]);
        Assert.Equal(19, (await EnterAsync([.. keep, optedOut, upward, gone])).Started);
        await RunHoursAsync(new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero)); // step 1 out to all

        await _engine.Get<UserStore>().MergeProfileColumnsAsync([(optedOut, new Dictionary<string, object?> { [UserEntity.ConsentPush] = false, [UserEntity.ConsentInApp] = false })], 1, TestEngine.Deadline());
        await Population.SeedRecipientsAsync(_engine, [(upward, new UserProfile { TimeZone = "Asia/Shanghai", PushToken = "tok-" + upward, ConsentPush = true, ConsentInApp = true, Source = "test" }, "high-value")]);
        var users = await _engine.Get<Engagement.Storage.StorageClients>().TableAsync(Engagement.Storage.TableNames.Users);
        await users.DeleteEntityAsync(_engine.Get<Engagement.Storage.UserShards>().Of(gone), gone);
        await RunHoursAsync(new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero)); // step 2 out

        foreach (var (user, reason) in new[] { (optedOut, "opted out of every channel"), (upward, "left the tier upward (potential -> high-value)"), (gone, "the user is gone") })
        {
            var (plan, steps) = await PlanOf(user);
            Assert.Equal((WakeUpPlanStates.Ended, reason), (plan.State, plan.EndReason));
            Assert.Equal(["missed", "cancelled", "cancelled", "cancelled", "cancelled", "cancelled", "cancelled"], steps.Select(s => s.Step.State));
            Assert.Single(_push.Sent, m => m.UserId == user);
        }

        foreach (var user in keep)
        {
            var (plan, steps) = await PlanOf(user);
            Assert.Equal((WakeUpPlanStates.Running, WakeUpStepStates.Sent), (plan.State, steps[1].Step.State));
            Assert.Equal(2, _push.Sent.Count(m => m.UserId == user));
        }
    }

    [Fact]
    public async Task AClockChangeDuringThePlan_MovesNoStepOffItsLocalDayOrHour()
    {
        // New York springs forward on Sunday 14 March 2027 (02:00 -> 03:00): a plan from 11 March spans it
        var user = TreatedId("dst");
        await StartAsync(new DateTimeOffset(2027, 3, 11, 5, 0, 0, TimeSpan.Zero), (user, "America/New_York", true)); // 00:00 local, 11 March
        Assert.Equal(1, (await EnterAsync(user)).Started);

        await RunHoursAsync(new DateTimeOffset(2027, 3, 18, 18, 0, 0, TimeSpan.Zero));

        var (plan, steps) = await PlanOf(user);
        Assert.Equal(new DateOnly(2027, 3, 11), plan.FirstDay);
        var local = steps.Select(s => TimeZoneInfo.ConvertTime(s.Step.SentAt!.Value, NewYork).DateTime).ToList();
        Assert.Equal(Enumerable.Range(11, 7).Select(d => new DateTime(2027, 3, d, 12, 0, 0)), local);
        Assert.Equal([17, 17, 17, 16, 16, 16, 16], steps.Select(s => s.Step.SentAt!.Value.UtcDateTime.Hour)); // noon EST is 17:00Z, EDT 16:00Z
        Assert.Equal(7, _push.Sent.Count(m => m.UserId == user));
    }
}
