using Engagement.Storage;
using Engagement.WakeUp;

namespace Engagement.IntegrationTests.WakeUp;

/// <summary>The wake-up plans table on Azurite: a plan starts once, its steps wait as due pointers, a step is claimed once, ending a plan cancels what is pending.</summary>
public sealed class WakeUpPlanStoreTests : IAsyncLifetime
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 1, 0, 0, TimeSpan.Zero);
    private LocalEngine _engine = null!;
    private LocalEngine _second = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync();
        _second = await TestEngine.StartAsync(existingStorage: _engine.Azurite!.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _engine.DisposeAsync();
    }

    private static (WakeUpPlanRow Plan, IReadOnlyList<WakeUpStep> Steps) NewPlan(string userId, string state = WakeUpPlanStates.Running)
    {
        var options = new WakeUpOptions();
        var first = WakeUpSchedule.FirstDay(Now, options.LocalTime, Shanghai);
        var plan = new WakeUpPlanRow(userId, first.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), state, WakeUpStartCause.EnteredTier,
            options.CatalogueVersion, Shanghai.Id, first, Now, null, default);
        return (plan, WakeUpDecisions.Steps(WakeUpDecisions.DrawTasks(options), first, options.LocalTime, Shanghai));
    }

    [Fact]
    public async Task Start_Twice_OnePlan_SevenStepsWaitingAsDuePointersAtTheirHours()
    {
        var store = _engine.Get<WakeUpPlanStore>();
        var (plan, steps) = NewPlan("wu-1");

        Assert.True(await store.StartAsync(plan, steps, TestEngine.Deadline()));
        Assert.False(await store.StartAsync(plan, steps, TestEngine.Deadline())); // a replayed start

        var (stored, storedSteps) = Assert.Single(await store.PlansAsync("wu-1", TestEngine.Deadline()));
        Assert.Equal(WakeUpPlanStates.Running, stored.State);
        Assert.Equal(steps.Select(s => (s.Number, s.Task.Kind, s.Time.SendAt, s.State)), storedSteps.Select(s => (s.Step.Number, s.Step.Task.Kind, s.Step.Time.SendAt, s.Step.State)));
        // noon in Shanghai is 04:00Z: one pointer per step, in the hour of its send instant
        var due = (await store.DueAsync(steps[0].Time.SendAt, steps[^1].Time.SendAt, TestEngine.Deadline())).Where(d => d.UserId == "wu-1").ToList();
        Assert.Equal(Enumerable.Range(1, 7), due.Select(d => d.Step));
        Assert.All(due, d => Assert.Equal(steps[d.Step - 1].Time.SendAt.UtcDateTime.Date.AddHours(4), d.Hour.UtcDateTime));
        // each pointer carries what the sender decides by: send, the step's times and task
        Assert.All(due, d => Assert.Equal((WakeUpDueKinds.Send, steps[d.Step - 1].Time, steps[d.Step - 1].Task), (d.Kind, d.Time, d.Task)));
    }

    [Fact]
    public async Task StartMany_PacksPlansOfAPartition_AndAPackWithAReplayedPlanStartsExactlyTheNewOnes()
    {
        var store = _engine.Get<WakeUpPlanStore>();
        var shards = _engine.Get<UserShards>();
        // 30 users of one shard: several packs of 12 plans (8 rows each), one of them holding a plan started before
        var users = Enumerable.Range(0, 2000).Select(i => $"wm-{i}").Where(u => shards.Of(u) == shards.Of("wm-0")).Take(30).ToList();
        var earlier = NewPlan(users[13]);
        Assert.True(await store.StartAsync(earlier.Plan, earlier.Steps, TestEngine.Deadline()));
        var held = NewPlan(users[20], WakeUpPlanStates.HeldOut);

        var started = await store.StartManyAsync([.. users.Select(u => u == users[20] ? held : NewPlan(u))], TestEngine.Deadline());

        Assert.Equal(users.Where(u => u != users[13]).Order(StringComparer.Ordinal), started.Select(s => s.UserId).Order(StringComparer.Ordinal));
        foreach (var user in users)
        {
            var (plan, steps) = Assert.Single(await store.PlansAsync(user, TestEngine.Deadline()));
            Assert.Equal(user == users[20] ? 0 : 7, steps.Count);
        }
    }

    /// <summary>
    /// Pointers are packed: 450 plans of one shard put their step-1 pointers in two rows of that hour (400 at most a row), a
    /// replayed start writes the same rows again, a drop rewrites a row with the rest and deletes it once none is left, and
    /// a row of one pointer (the form before packs) is read and dropped beside them.
    /// </summary>
    [Fact]
    public async Task Pointers_PackedPerShardAndHour_ReplayWritesTheSameRows_DropsRewriteThenDelete_TheEarlierFormStillRead()
    {
        var store = _engine.Get<WakeUpPlanStore>();
        var shards = _engine.Get<UserShards>();
        var shard = shards.Of("wp-0");
        var users = Enumerable.Range(0, 20_000).Select(i => $"wp-{i}").Where(u => shards.Of(u) == shard).Take(451).ToList();
        var legacyUser = users[^1]; // of the same shard: its pointer row sits in the same table
        users.RemoveAt(450);
        var starts = users.Select(u => NewPlan(u)).ToList();
        var at = starts[0].Steps[0].Time.SendAt;
        var table = await _engine.Get<StorageClients>().TableAsync(TableNames.WakeUpDueOf(shard), TestEngine.Deadline());
        async Task<List<Azure.Data.Tables.TableEntity>> RowsAsync() =>
            await table.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == "due|" + at.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture)).ToListAsync();

        await store.StartManyAsync(starts, TestEngine.Deadline());
        var packs = await RowsAsync();
        await store.StartManyAsync(starts, TestEngine.Deadline()); // a replayed night
        Assert.Equal(2, packs.Count);
        Assert.Equal(packs.Select(r => r.RowKey).Order(StringComparer.Ordinal), (await RowsAsync()).Select(r => r.RowKey).Order(StringComparer.Ordinal));

        // a pointer row of the form before packs, in the same hour
        var legacy = starts[0].Steps[0];
        await table.UpsertEntityAsync(new Azure.Data.Tables.TableEntity("due|" + at.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture), legacyUser + "|20261203|1")
        {
            ["Kind"] = WakeUpDueKinds.Send,
            ["Task"] = System.Text.Json.JsonSerializer.Serialize(legacy.Task),
            ["LocalDate"] = legacy.Time.LocalDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["SendAt"] = legacy.Time.SendAt,
            ["ClosesAt"] = legacy.Time.ClosesAt,
        });

        var due = (await store.DueAsync(at, at, TestEngine.Deadline())).Where(d => d.UserId.StartsWith("wp-", StringComparison.Ordinal)).ToList();
        Assert.Equal(users.Append(legacyUser).Order(StringComparer.Ordinal), due.Select(d => d.UserId).Order(StringComparer.Ordinal));
        Assert.All(due, d => Assert.Equal((1, WakeUpDueKinds.Send, legacy.Time.SendAt, legacy.Task), (d.Step, d.Kind, d.Time!.SendAt, d.Task)));
        Assert.Null(due.Single(d => d.UserId == legacyUser).Pack);

        // drop the legacy row and 100 packed pointers: the packs keep the other 350
        var dropped = due.Where(d => d.Pack is not null).Take(100).Append(due.Single(d => d.UserId == legacyUser)).ToList();
        await store.DropManyAsync(dropped, TestEngine.Deadline());
        var rest = (await store.DueAsync(at, at, TestEngine.Deadline())).Where(d => d.UserId.StartsWith("wp-", StringComparison.Ordinal)).Select(d => d.UserId).ToList();
        Assert.Equal(due.Select(d => d.UserId).Except(dropped.Select(d => d.UserId)).Order(StringComparer.Ordinal), rest.Order(StringComparer.Ordinal));
        Assert.Equal(2, (await RowsAsync()).Count);

        // then the rest, read again: no row is left in the hour
        await store.DropManyAsync([.. (await store.DueAsync(at, at, TestEngine.Deadline())).Where(d => d.UserId.StartsWith("wp-", StringComparison.Ordinal))], TestEngine.Deadline());
        Assert.Empty(await RowsAsync());
    }

    [Fact]
    public async Task PlanRows_ManyPlans_EachRowAsStored_NoneForAKeyWithout()
    {
        var store = _engine.Get<WakeUpPlanStore>();
        var users = Enumerable.Range(0, 40).Select(i => $"wl-{i}").ToList(); // across shards, enough for a range read in some
        foreach (var user in users.Take(30))
        {
            var (plan, steps) = NewPlan(user, user == "wl-3" ? WakeUpPlanStates.HeldOut : WakeUpPlanStates.Running);
            Assert.True(await store.StartAsync(plan, steps, TestEngine.Deadline()));
        }

        var planId = NewPlan("x").Plan.PlanId;
        var rows = await store.PlanRowsAsync([.. users.Select(u => (u, planId)), ("wl-0", "20991231")], TestEngine.Deadline());

        Assert.Equal(users.Take(30).Order(StringComparer.Ordinal), rows.Keys.Select(k => k.UserId).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal((r.Key.UserId, planId, r.Key.UserId == "wl-3" ? WakeUpPlanStates.HeldOut : WakeUpPlanStates.Running), (r.Value.UserId, r.Value.PlanId, r.Value.State)));
    }

    [Fact]
    public async Task Refile_ASentStep_WaitsAsAClosePointerAtTheHourItsDayCloses()
    {
        var store = _engine.Get<WakeUpPlanStore>();
        var (plan, steps) = NewPlan("wu-5");
        await store.StartAsync(plan, steps, TestEngine.Deadline());
        var pointer = (await store.DueAsync(steps[0].Time.SendAt, steps[0].Time.SendAt, TestEngine.Deadline())).Single(d => d.UserId == "wu-5");

        await store.RefileManyAsync([(pointer, steps[0])], [], TestEngine.Deadline());

        Assert.DoesNotContain(await store.DueAsync(steps[0].Time.SendAt, steps[0].Time.SendAt, TestEngine.Deadline()), d => d.UserId == "wu-5");
        var close = (await store.DueAsync(steps[0].Time.ClosesAt, steps[0].Time.ClosesAt, TestEngine.Deadline())).Single(d => d.UserId == "wu-5");
        Assert.Equal((1, WakeUpDueKinds.Close, steps[0].Time, steps[0].Task), (close.Step, close.Kind, close.Time, close.Task));
    }

    [Fact]
    public async Task Claim_RacedByTwoInstances_OneWins_AndTheTableRefusesAMoveItDoesNotAllow()
    {
        var (plan, steps) = NewPlan("wu-2");
        await _engine.Get<WakeUpPlanStore>().StartAsync(plan, steps, TestEngine.Deadline());
        var first = (await _engine.Get<WakeUpPlanStore>().PlansAsync("wu-2", TestEngine.Deadline()))[0].Steps[0];
        var second = (await _second.Get<WakeUpPlanStore>().PlansAsync("wu-2", TestEngine.Deadline()))[0].Steps[0];

        var claims = await Task.WhenAll(
            _engine.Get<WakeUpPlanStore>().TryMoveAsync(first, WakeUpStepStates.Sending, null, null, TestEngine.Deadline()),
            _second.Get<WakeUpPlanStore>().TryMoveAsync(second, WakeUpStepStates.Sending, null, null, TestEngine.Deadline()));

        Assert.Equal(1, claims.Count(c => c));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _engine.Get<WakeUpPlanStore>().TryMoveAsync(first, WakeUpStepStates.Completed, null, null, TestEngine.Deadline())); // due -> completed: never
    }

    [Fact]
    public async Task End_CancelsThePendingSteps_AtOnce_AndLeavesTheSentOnes()
    {
        var store = _engine.Get<WakeUpPlanStore>();
        var (plan, steps) = NewPlan("wu-3");
        await store.StartAsync(plan, steps, TestEngine.Deadline());
        var step1 = (await store.PlansAsync("wu-3", TestEngine.Deadline()))[0].Steps[0];
        Assert.True(await store.TryMoveAsync(step1, WakeUpStepStates.Sending, null, null, TestEngine.Deadline()));
        step1 = (await store.PlansAsync("wu-3", TestEngine.Deadline()))[0].Steps[0];
        Assert.True(await store.TryMoveAsync(step1, WakeUpStepStates.Sent, Now, null, TestEngine.Deadline()));

        await store.EndAsync("wu-3", plan.PlanId, "left the tier upward (potential -> high-value)", TestEngine.Deadline());

        var (ended, after) = (await store.PlansAsync("wu-3", TestEngine.Deadline()))[0];
        Assert.Equal(WakeUpPlanStates.Ended, ended.State);
        Assert.Equal("left the tier upward (potential -> high-value)", ended.EndReason);
        Assert.Equal(WakeUpStepStates.Sent, after[0].Step.State);
        Assert.Equal(Now, after[0].Step.SentAt);
        Assert.All(after.Skip(1), s => Assert.Equal((WakeUpStepStates.Cancelled, "left the tier upward (potential -> high-value)"), (s.Step.State, s.Step.Reason)));
        // the pointers stay in their packs until their hours' passes, and none of them leads to a step a pass may claim
        var pointers = (await store.DueAsync(steps[0].Time.SendAt, steps[^1].Time.SendAt, TestEngine.Deadline())).Where(d => d.UserId == "wu-3").ToList();
        Assert.Equal(Enumerable.Range(1, 7), pointers.Select(d => d.Step));
        foreach (var pointer in pointers.Skip(1))
        {
            Assert.Empty(await store.MovableStepsAsync([pointer], pointer.Time!.SendAt.AddHours(-1), pointer.Time.SendAt, TestEngine.Deadline()));
        }
    }

    /// <summary>
    /// The send pass's claim (a step read with its ETag in the pass's range read) and an early end, in both orders and at
    /// once: the step is either claimed (and sent, the end leaves it alone) or cancelled (and the claim gets nothing),
    /// never sent after it was cancelled.
    /// </summary>
    [Fact]
    public async Task EndedWhileItsStepIsBeingClaimed_TheStepIsNeverSentAfterItWasCancelled()
    {
        var store = _engine.Get<WakeUpPlanStore>();
        for (var i = 0; i < 12; i++)
        {
            var user = $"wu-race-{i}";
            var (plan, steps) = NewPlan(user);
            await store.StartAsync(plan, steps, TestEngine.Deadline());
            var at = steps[0].Time.SendAt;
            var pointer = (await store.DueAsync(at, at, TestEngine.Deadline())).Single(d => d.UserId == user);
            var row = (await store.MovableStepsAsync([pointer], at.AddHours(-1), at, TestEngine.Deadline()))[(user, plan.PlanId, 1)];
            Assert.Equal(WakeUpStepStates.Due, row.Step.State);

            async Task<bool> ClaimAndSendAsync()
            {
                var claimed = await store.TryClaimManyAsync([row], "batch-" + user, at, TestEngine.Deadline());
                return claimed.Count == 1 && (await store.TryMoveManyAsync(claimed, WakeUpStepStates.Sent, at, null, TestEngine.Deadline())).Count == 1;
            }

            Task EndAsync() => _second.Get<WakeUpPlanStore>().EndAsync(user, plan.PlanId, "opted out of every channel", TestEngine.Deadline());

            bool sent;
            switch (i % 3)
            {
                case 0:
                    sent = await ClaimAndSendAsync();
                    await EndAsync();
                    Assert.True(sent);
                    break;
                case 1:
                    await EndAsync();
                    sent = await ClaimAndSendAsync();
                    Assert.False(sent);
                    break;
                default:
                    var claim = ClaimAndSendAsync();
                    await Task.WhenAll(claim, EndAsync());
                    sent = await claim;
                    break;
            }

            var (ended, after) = (await store.PlansAsync(user, TestEngine.Deadline()))[0];
            Assert.Equal(WakeUpPlanStates.Ended, ended.State);
            Assert.Equal(sent ? (WakeUpStepStates.Sent, (DateTimeOffset?)at) : (WakeUpStepStates.Cancelled, null), (after[0].Step.State, after[0].Step.SentAt));
            Assert.All(after.Skip(1), s => Assert.Equal(WakeUpStepStates.Cancelled, s.Step.State));
            // a pass at the step's hour finds nothing to claim: the step is sent or cancelled
            Assert.Empty(await store.MovableStepsAsync([pointer], at.AddHours(-1), at, TestEngine.Deadline()));
        }
    }

    [Fact]
    public async Task HeldOutPlan_IsRecorded_WithNoStepsAndNothingDue()
    {
        var store = _engine.Get<WakeUpPlanStore>();
        var (plan, steps) = NewPlan("wu-4", WakeUpPlanStates.HeldOut);

        Assert.True(await store.StartAsync(plan, steps, TestEngine.Deadline()));

        var (stored, storedSteps) = Assert.Single(await store.PlansAsync("wu-4", TestEngine.Deadline()));
        Assert.Equal(WakeUpPlanStates.HeldOut, stored.State);
        Assert.Empty(storedSteps);
        Assert.DoesNotContain(await store.DueAsync(steps[0].Time.SendAt, steps[^1].Time.SendAt, TestEngine.Deadline()), d => d.UserId == "wu-4");
    }
}
