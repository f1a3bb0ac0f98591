using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Points;
using Engagement.Segmentation;
using Engagement.Users;
using Engagement.WakeUp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.IntegrationTests.WakeUp;

/// <summary>
/// The wake-up plan under scripted faults on Azurite (issue 12): a worker dying at a chosen point of the send pass (after the
/// claim, after the hand-off, after the steps are recorded sent) or of the completion (after the step is completed, before
/// its points), then resumed; two instances and a timer firing twice at once; events outside a step's sent window. Every
/// crash is a throwing logger at the log statement between two storage steps (<see cref="FaultingLoggerProvider"/>).
/// A step is handed off once, each user gets one push per step, a completed step is awarded exactly once.
/// </summary>
public sealed class WakeUpFaultTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero); // 08:00 in Shanghai
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai: step 1 goes out
    private readonly StoppedClock _clock = new(Start);
    private readonly RecordingSender _push = new(Channels.Push);
    private readonly EngineGroup _engines = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _engines.DisposeAllAsync();

    /// <summary>An engine on the shared clock; with <paramref name="sharing"/>, a second instance on that engine's storage.</summary>
    private async Task<LocalEngine> StartAsync(FaultingLoggerProvider? faults = null, LocalEngine? sharing = null, RecordingSender? push = null)
    {
        var engine = await TestEngine.StartAsync(
            _clock,
            s =>
            {
                s.AddSingleton<IChannelSender>(push ?? _push);
                if (faults is not null)
                {
                    s.AddLogging(b => b.ClearProviders().AddProvider(faults));
                }
            },
            faults is null ? LogLevel.Error : LogLevel.Debug,
            existingStorage: sharing?.Azurite!.ConnectionString);
        return _engines.Add(engine);
    }

    /// <summary>Treated (not held-out) users in Shanghai with a push token, entering the tier: one plan each, first day 1 Dec.</summary>
    private static async Task<string[]> EnterAsync(LocalEngine engine, string prefix, int count)
    {
        var users = Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}")
            .Where(id => !CampaignPlanner.IsHeldOut(WakeUpDecisions.HoldoutKey, id, new WakeUpOptions().HoldoutPercent)).Take(count).ToArray();
        await Population.SeedRecipientsAsync(engine, users.Select(u => (u, new UserProfile
        {
            TimeZone = "Asia/Shanghai",
            PushToken = "tok-" + u,
            ConsentPush = true,
            ConsentInApp = true,
            Source = "test",
        }, "potential")));
        var started = await engine.Get<WakeUpStarter>().ApplyAsync([.. users.Select(u => new TierTransition(u, "regular", "potential", default))], TestEngine.Deadline());
        Assert.Equal(count, started.Started);
        return users;
    }

    private static Task<WakeUpSendResult> TickAsync(LocalEngine engine) => engine.Get<WakeUpSender>().SendDueAsync(TestEngine.Deadline());

    /// <summary>The pass dies at the scripted point (the logger's throw reaches the caller wrapped by the logging framework).</summary>
    private static async Task CrashAsync(LocalEngine engine, FaultingLoggerProvider faults)
    {
        var crash = await Assert.ThrowsAnyAsync<Exception>(() => TickAsync(engine));
        Assert.Contains("injected crash", crash.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, faults.Thrown);
    }

    /// <summary>A pass that finds nothing to send or recover.</summary>
    private static async Task AssertIdleAsync(LocalEngine engine)
    {
        var pass = await TickAsync(engine);
        Assert.Equal((0, 0), (pass.Sent, pass.Recovered));
    }

    private static async Task DrainDeliveriesAsync(LocalEngine engine) =>
        Assert.Equal(0, (await engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1))).DeadLettered);

    /// <summary>Moves the clock an hour at a time to <paramref name="until"/>, ticking (and delivering) at each hour.</summary>
    private async Task RunHoursAsync(LocalEngine engine, DateTimeOffset until)
    {
        while (_clock.GetUtcNow() < until)
        {
            _clock.Advance(TimeSpan.FromHours(1));
            var result = await TickAsync(engine);
            if (result.Sent + result.Recovered > 0)
            {
                await DrainDeliveriesAsync(engine);
            }
        }
    }

    private static async Task<List<WakeUpStepRow>> StepsAsync(LocalEngine engine, IEnumerable<string> users, int step)
    {
        var rows = new List<WakeUpStepRow>();
        foreach (var user in users)
        {
            var (_, steps) = Assert.Single(await engine.Get<WakeUpPlanStore>().PlansAsync(user, TestEngine.Deadline()));
            rows.Add(steps.Single(s => s.Step.Number == step));
        }

        return rows;
    }

    /// <summary>The user does step 1's task at <paramref name="at"/>; the event is ingested (drained, retries included).</summary>
    private static async Task<Local.Queues.PumpProgress> DoStepOneAsync(LocalEngine engine, string user, string eventId, DateTimeOffset at)
    {
        var task = (await StepsAsync(engine, [user], 1))[0].Step.Task;
        var type = task.Completes.ToString().ToLowerInvariant();
        await TestEngine.SendAsync(engine, QueueNames.ActivityEvents,
            ActivityJson.One(ActivityJson.Event(eventId, user, type, type == "purchase" ? 10m : null, task.Category, at)));
        return await TestEngine.DrainAsync(engine, QueueNames.ActivityEvents);
    }

    private static async Task<List<PointsEntry>> WakeUpPointsAsync(LocalEngine engine, string user) =>
        [.. (await engine.Get<PointsStore>().EntriesAsync(user, TestEngine.Deadline())).Where(e => e.SourceKey.StartsWith("wakeup-", StringComparison.Ordinal))];

    /// <summary>After a resumed pass: every user's step 1 is sent in one batch, one accepted push each in the ledger and at the provider.</summary>
    private async Task AssertSentOnceAsync(LocalEngine engine, string[] users, string batch)
    {
        Assert.All(await StepsAsync(engine, users, 1), s => Assert.Equal((WakeUpStepStates.Sent, batch), (s.Step.State, s.Batch)));
        var ledger = await TestEngine.LedgerAsync(engine, batch);
        foreach (var user in users)
        {
            Assert.Single(ledger, r => r.UserId == user && r.Channel == Channels.Push && r.State == DeliveryStates.Accepted);
            Assert.Single(_push.Sent, m => m.UserId == user);
        }

        Assert.Equal(users.Length, _push.Sent.Count);
    }

    /// <summary>The step was not lost: the user can still complete it, and is awarded once.</summary>
    private static async Task AssertCompletableAsync(LocalEngine engine, string user, DateTimeOffset at)
    {
        Assert.Equal(0, (await DoStepOneAsync(engine, user, user + "-did-it", at)).DeadLettered);
        var step = (await StepsAsync(engine, [user], 1))[0];
        Assert.Equal((WakeUpStepStates.Completed, user + "-did-it"), (step.Step.State, step.CompletedBy));
        Assert.Equal([(WakeUpCompletions.PointsKey(step.PlanId, 1), step.Step.Task.Points)], (await WakeUpPointsAsync(engine, user)).Select(e => (e.SourceKey, e.Points)));
    }

    /// <summary>The pass at local noon dies at the scripted point; every user's step 1 is left in <paramref name="state"/>, all in one batch.</summary>
    private async Task<string> CrashAtNoonAsync(LocalEngine engine, FaultingLoggerProvider faults, string[] users, string state)
    {
        await RunHoursAsync(engine, Noon.AddHours(-1));
        _clock.Advance(TimeSpan.FromHours(1));
        await CrashAsync(engine, faults);
        var steps = await StepsAsync(engine, users, 1);
        Assert.All(steps, s => Assert.Equal(state, s.Step.State));
        return Assert.Single(steps.Select(s => s.Batch).Distinct())!;
    }

    /// <summary>
    /// Within the grace a claimed batch may still be in another instance's hands: left alone. The restarted worker, past the
    /// grace, hands the batch off again (its stored text when there is one) and records it; then nothing is left to do.
    /// </summary>
    private async Task ResumeAfterTheGraceAsync(LocalEngine engine, string[] users, string batch)
    {
        await AssertIdleAsync(engine);
        _clock.Advance(WakeUpSender.HandOffGrace);
        var resumed = await TickAsync(engine);
        Assert.Equal((users.Length, users.Length), (resumed.Sent, resumed.Recovered)); // every step handed off by this pass is a recovered one
        Assert.Equal(CampaignStates.Planned, (await engine.Get<CampaignStore>().GetAsync(batch, TestEngine.Deadline()))!.State);
        await DrainDeliveriesAsync(engine);
        await AssertSentOnceAsync(engine, users, batch);
        await AssertIdleAsync(engine);
        await AssertCompletableAsync(engine, users[0], _clock.GetUtcNow());
    }

    [Fact]
    public async Task CrashAfterTheHandOff_BeforeTheStepsAreRecordedSent_TheResumedPassSendsEachStepOnce()
    {
        var faults = new FaultingLoggerProvider("LogPlanned"); // the campaign pipeline has accepted and planned the batch
        var engine = await StartAsync(faults);
        var users = await EnterAsync(engine, "handed", 5);

        var batch = await CrashAtNoonAsync(engine, faults, users, WakeUpStepStates.Sending);
        Assert.Equal(CampaignStates.Planned, (await engine.Get<CampaignStore>().GetAsync(batch, TestEngine.Deadline()))!.State);

        await ResumeAfterTheGraceAsync(engine, users, batch); // handed off again with its stored text: a duplicate, nothing planned twice
    }

    /// <summary>
    /// Two users of one shard whose step 1 falls in the same UTC hour, half an hour apart (noon in Dhaka and in Kolkata): their
    /// pointers share a pack row. The pass on the hour sends the first and leaves the other in the row; the pass half an hour
    /// later sends it; each is sent once and nothing is left to send.
    /// </summary>
    [Fact]
    public async Task TwoSendInstantsInOnePackRow_EachPassSendsTheStepsWhoseInstantCame_EachOnce()
    {
        var engine = await StartAsync();
        var shards = engine.Get<UserShards>();
        var treated = Enumerable.Range(0, 1000).Select(i => $"half-{i}")
            .Where(id => !CampaignPlanner.IsHeldOut(WakeUpDecisions.HoldoutKey, id, new WakeUpOptions().HoldoutPercent)).ToList();
        var (dhaka, kolkata) = (treated[0], treated.Skip(1).First(u => shards.Of(u) == shards.Of(treated[0])));
        await Population.SeedRecipientsAsync(engine, new[] { (User: dhaka, Zone: "Asia/Dhaka"), (User: kolkata, Zone: "Asia/Kolkata") }.Select(u => (u.User, new UserProfile
        {
            TimeZone = u.Zone,
            PushToken = "tok-" + u.User,
            ConsentPush = true,
            ConsentInApp = true,
            Source = "test",
        }, "potential")));
        var started = await engine.Get<WakeUpStarter>().ApplyAsync([new TierTransition(dhaka, "regular", "potential", default), new TierTransition(kolkata, "regular", "potential", default)], TestEngine.Deadline());
        Assert.Equal(2, started.Started);
        var early = (await StepsAsync(engine, [dhaka], 1))[0].Step.Time.SendAt;
        Assert.Equal((0, early.AddMinutes(30)), (early.Minute, (await StepsAsync(engine, [kolkata], 1))[0].Step.Time.SendAt));

        await RunHoursAsync(engine, early);
        Assert.Equal([dhaka], _push.Sent.Select(m => m.UserId));
        Assert.Equal(WakeUpStepStates.Due, (await StepsAsync(engine, [kolkata], 1))[0].Step.State);
        Assert.Equal([kolkata], (await engine.Get<WakeUpPlanStore>().DueAsync(early, early, TestEngine.Deadline())).Where(d => d.Kind == WakeUpDueKinds.Send && d.Step == 1).Select(d => d.UserId));

        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(1, (await TickAsync(engine)).Sent);
        await DrainDeliveriesAsync(engine);
        Assert.Equal(new[] { dhaka, kolkata }.Order(StringComparer.Ordinal), _push.Sent.Select(m => m.UserId).Order(StringComparer.Ordinal));
        Assert.All(await StepsAsync(engine, [dhaka, kolkata], 1), s => Assert.Equal(WakeUpStepStates.Sent, s.Step.State));
        Assert.DoesNotContain(await engine.Get<WakeUpPlanStore>().DueAsync(early, early, TestEngine.Deadline()), d => d.Kind == WakeUpDueKinds.Send && d.Step == 1);
        await AssertIdleAsync(engine);
    }

    [Fact]
    public async Task CrashAfterTheClaim_BeforeTheHandOff_TheResumedPassHandsItOffOnce()
    {
        var faults = new FaultingLoggerProvider("LogClaimed");
        var engine = await StartAsync(faults);
        var users = await EnterAsync(engine, "claimed", 5);

        var batch = await CrashAtNoonAsync(engine, faults, users, WakeUpStepStates.Sending);
        Assert.Null(await engine.Get<CampaignStore>().GetAsync(batch, TestEngine.Deadline()));

        // an event while the step is claimed but not sent completes nothing
        Assert.Equal(0, (await DoStepOneAsync(engine, users[1], "while-claimed", _clock.GetUtcNow())).DeadLettered);
        Assert.Empty(await WakeUpPointsAsync(engine, users[1]));

        await ResumeAfterTheGraceAsync(engine, users, batch);
    }

    [Fact]
    public async Task CrashAfterTheStepsAreRecordedSent_BeforeThePointersMove_TheStepCanStillBeCompleted()
    {
        var faults = new FaultingLoggerProvider("LogHandedOff"); // the steps are `sent`; their pointers (moved at the end of the pass) not yet
        var engine = await StartAsync(faults);
        var users = await EnterAsync(engine, "recorded", 3);
        var batch = await CrashAtNoonAsync(engine, faults, users, WakeUpStepStates.Sent);

        // the restarted worker's next tick
        _clock.Advance(TimeSpan.FromMinutes(10));
        var resumed = await TickAsync(engine);
        Assert.Equal((0, 0), (resumed.Sent, resumed.Recovered));
        await DrainDeliveriesAsync(engine);
        await AssertSentOnceAsync(engine, users, batch);
        foreach (var user in users)
        {
            await AssertCompletableAsync(engine, user, _clock.GetUtcNow());
        }
    }

    [Fact]
    public async Task APlanStartedBeforeTheRowCarriedItsSteps_GetsItsOpenTaskAtTheHandOff_AndStillCompletes()
    {
        var engine = await StartAsync();
        var users = await EnterAsync(engine, "earlier", 2);
        var (plan, _) = Assert.Single(await engine.Get<WakeUpPlanStore>().PlansAsync(users[0], TestEngine.Deadline()));
        var store = engine.Get<UserStore>();
        await store.SetColumnAsync(UserEntity.WakeUpPlan, [(users[0], (object)$"{plan.PlanId}|{plan.StartedAt.UtcDateTime:O}")], TestEngine.Deadline()); // as an earlier version wrote it

        await RunHoursAsync(engine, Noon);

        var rows = await store.ColumnsOfAsync(users, [UserEntity.OpenTask], TestEngine.Deadline());
        Assert.Equal((plan.PlanId, 1), (OpenTask.Parse(rows[users[0]].GetString(UserEntity.OpenTask))?.PlanId, OpenTask.Parse(rows[users[0]].GetString(UserEntity.OpenTask))?.Step));
        Assert.Null(rows[users[1]].GetString(UserEntity.OpenTask)); // a sent step writes no user row when the row carries the plan's steps
        _clock.Advance(TimeSpan.FromMinutes(40));
        foreach (var user in users)
        {
            await AssertCompletableAsync(engine, user, Noon.AddMinutes(30));
        }
    }

    [Fact]
    public async Task TwoInstancesAndATimerFiringTwice_AtOnce_EachStepIsHandedOffOnce_OnePushPerUserPerStep()
    {
        var other = new RecordingSender(Channels.Push);
        var first = await StartAsync();
        var second = await StartAsync(sharing: first, push: other);
        var users = await EnterAsync(first, "twice", 24);

        // each local noon, and once after the last local day closed: three passes at once (one instance's timer fires twice)
        var sent = 0;
        for (var day = 0; day <= WakeUpOptions.Steps; day++)
        {
            _clock.SetUtcNow(day < WakeUpOptions.Steps ? Noon.AddDays(day) : Noon.AddDays(day).AddHours(13));
            var passes = await Task.WhenAll(TickAsync(first), TickAsync(first), TickAsync(second));
            Assert.All(passes, p => Assert.Equal(0, p.Recovered));
            sent += passes.Sum(p => p.Sent);
            Assert.Equal(day < WakeUpOptions.Steps ? users.Length * (day + 1) : users.Length * WakeUpOptions.Steps, sent);
            await Task.WhenAll(DrainDeliveriesAsync(first), DrainDeliveriesAsync(second));
        }

        foreach (var user in users)
        {
            var (plan, steps) = Assert.Single(await first.Get<WakeUpPlanStore>().PlansAsync(user, TestEngine.Deadline()));
            Assert.Equal(WakeUpPlanStates.Completed, plan.State);
            Assert.All(steps, s => Assert.Equal(WakeUpStepStates.Missed, s.Step.State));
            Assert.Equal(WakeUpOptions.Steps, steps.Select(s => s.Batch).Distinct().Count());
            Assert.Equal(WakeUpOptions.Steps, _push.Sent.Count(m => m.UserId == user) + other.Sent.Count(m => m.UserId == user));
            foreach (var step in steps)
            {
                var rows = (await TestEngine.LedgerAsync(first, step.Batch!)).Where(r => r.UserId == user).ToList();
                Assert.Single(rows, r => r.Channel == Channels.Push && r.State == DeliveryStates.Accepted);
                Assert.DoesNotContain(rows, r => r.Channel == Channels.InApp && r.State == DeliveryStates.Accepted);
            }
        }

        Assert.Equal(users.Length * WakeUpOptions.Steps, _push.Sent.Count + other.Sent.Count);
    }

    [Fact]
    public async Task PlansEndedWhileTheirStepsAreBeingClaimed_NoStepIsSentAfterItWasCancelled()
    {
        var first = await StartAsync();
        var second = await StartAsync(sharing: first);
        var users = await EnterAsync(first, "ending", 12);
        var planIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            planIds[user] = (await first.Get<WakeUpPlanStore>().PlansAsync(user, TestEngine.Deadline()))[0].Plan.PlanId;
        }

        await RunHoursAsync(first, Noon.AddHours(-1));
        _clock.Advance(TimeSpan.FromHours(1));

        // the noon pass on one instance while the other ends every plan (a tier change the nightly saw), at once
        var pass = TickAsync(first);
        await Task.WhenAll(pass, Task.WhenAll(users.Select(u =>
            second.Get<WakeUpPlanStore>().EndAsync(u, planIds[u], "left the tier upward (potential -> high-value)", TestEngine.Deadline()))));
        await DrainDeliveriesAsync(first);
        var handed = (await pass).Handed.Select(h => h.UserId).ToHashSet(StringComparer.Ordinal);

        // the day after, and the day after it closed: nothing more goes out
        await RunHoursAsync(first, Noon.AddDays(2));
        foreach (var user in users)
        {
            var (plan, steps) = Assert.Single(await first.Get<WakeUpPlanStore>().PlansAsync(user, TestEngine.Deadline()));
            Assert.Equal(WakeUpPlanStates.Ended, plan.State);
            var step = steps[0].Step;
            if (handed.Contains(user))
            {
                // claimed before the end: it went its own way, sent once (and missed once its day closed)
                Assert.Equal(WakeUpStepStates.Missed, step.State);
                Assert.Single(_push.Sent, m => m.UserId == user);
            }
            else
            {
                Assert.Equal((WakeUpStepStates.Cancelled, null, null), (step.State, step.SentAt, steps[0].Batch));
                Assert.DoesNotContain(_push.Sent, m => m.UserId == user);
            }

            Assert.All(steps.Skip(1), s => Assert.Equal(WakeUpStepStates.Cancelled, s.Step.State));
        }

        Assert.Equal(handed.Count, _push.Sent.Count);
    }

    [Fact]
    public async Task CrashBetweenTaskCompletedAndPointsAwarded_TheRedeliveryAwardsOnce()
    {
        var faults = new FaultingLoggerProvider("LogStepCompleted");
        var engine = await StartAsync(faults);
        var user = (await EnterAsync(engine, "award", 1))[0];
        await RunHoursAsync(engine, Noon.AddHours(1));

        var pumped = await DoStepOneAsync(engine, user, "did-it", Noon.AddMinutes(30));
        Assert.Equal((1, 1, 1, 0), (faults.Thrown, pumped.Failed, pumped.Handled, pumped.DeadLettered));
        var step = (await StepsAsync(engine, [user], 1))[0];
        Assert.Equal((WakeUpStepStates.Completed, "did-it"), (step.Step.State, step.CompletedBy));
        Assert.Equal([(WakeUpCompletions.PointsKey(step.PlanId, 1), step.Step.Task.Points)], (await WakeUpPointsAsync(engine, user)).Select(e => (e.SourceKey, e.Points)));

        // a replay of the event, and another matching event that day, award nothing more
        Assert.Equal(0, (await DoStepOneAsync(engine, user, "did-it", Noon.AddMinutes(30))).Failed);
        Assert.Equal(0, (await DoStepOneAsync(engine, user, "did-it-again", Noon.AddMinutes(40))).Failed);
        Assert.Single(await WakeUpPointsAsync(engine, user));
        Assert.Equal("did-it", (await StepsAsync(engine, [user], 1))[0].CompletedBy);
    }

    [Fact]
    public async Task EventsBeforeTheStepIsSentOrAfterItsDayClosed_AwardNothing_TheStepStaysMissed()
    {
        var engine = await StartAsync();
        var user = (await EnterAsync(engine, "window", 1))[0];
        await RunHoursAsync(engine, Noon.AddHours(-1));

        // not sent yet: at 10:30 local, before the noon send
        await DoStepOneAsync(engine, user, "before-send", Noon.AddMinutes(-90));
        await RunHoursAsync(engine, Noon);
        var step = (await StepsAsync(engine, [user], 1))[0];
        Assert.Equal(WakeUpStepStates.Sent, step.Step.State);

        // arriving after the send but done before it (a late upload)
        await DoStepOneAsync(engine, user, "late-upload", Noon.AddMinutes(-30));
        Assert.Equal(WakeUpStepStates.Sent, (await StepsAsync(engine, [user], 1))[0].Step.State);

        // the local day closes at midnight (16:00 UTC): missed
        await RunHoursAsync(engine, step.Step.Time.ClosesAt.AddHours(1));
        Assert.Equal(WakeUpStepStates.Missed, (await StepsAsync(engine, [user], 1))[0].Step.State);

        // done after the day closed, and done within the day but arriving after it closed
        await DoStepOneAsync(engine, user, "next-day", step.Step.Time.ClosesAt.AddMinutes(30));
        await DoStepOneAsync(engine, user, "in-time-but-late", step.Step.Time.ClosesAt.AddHours(-2));

        step = (await StepsAsync(engine, [user], 1))[0];
        Assert.Equal((WakeUpStepStates.Missed, null), (step.Step.State, step.CompletedBy));
        Assert.Empty(await WakeUpPointsAsync(engine, user));
    }
}
