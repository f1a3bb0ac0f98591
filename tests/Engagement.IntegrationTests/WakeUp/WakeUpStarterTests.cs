using Engagement.Campaigns;
using Engagement.Segmentation;
using Engagement.Users;
using Engagement.WakeUp;

namespace Engagement.IntegrationTests.WakeUp;

/// <summary>
/// The starter decides from the user row (<see cref="UserEntity.WakeUpPlan"/>, written before the plan's rows) on Azurite:
/// the cooldown holds across nights, a crash between the column and the plan starts the plan on the next read, and an
/// upward move ends the running plan.
/// </summary>
public sealed class WakeUpStarterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Night1 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly StoppedClock _clock = new(Night1);
    private LocalEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(_clock);

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static CancellationToken Ct => TestEngine.Deadline();

    private async Task<string[]> SeedAsync(string prefix, int count)
    {
        var users = Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}")
            .Where(id => !CampaignPlanner.IsHeldOut(WakeUpDecisions.HoldoutKey, id, new WakeUpOptions().HoldoutPercent)).Take(count).ToArray();
        await Population.SeedRecipientsAsync(_engine, users.Select(u => (u, new UserProfile { TimeZone = "Asia/Shanghai", PushToken = "tok-" + u, ConsentPush = true, ConsentInApp = true, Source = "test" }, "potential")));
        return users;
    }

    private Task<WakeUpStartResult> EnterAsync(IEnumerable<string> users) =>
        _engine.Get<WakeUpStarter>().ApplyAsync([.. users.Select(u => new TierTransition(u, "regular", "potential", default))], Ct);

    [Fact]
    public async Task ReEnteringWithinTheCooldown_StartsNothing_AfterItStartsAgain()
    {
        var users = await SeedAsync("cool", 3);
        Assert.Equal(3, (await EnterAsync(users)).Started);

        _clock.SetUtcNow(Night1.AddDays(20));
        var again = await EnterAsync(users);
        _clock.SetUtcNow(Night1.AddDays(new WakeUpOptions().CooldownDays + 1));
        var later = await EnterAsync(users);

        Assert.Equal((0, 3), (again.Started, again.NotStarted));
        Assert.Equal(3, later.Started);
        foreach (var u in users)
        {
            Assert.Equal(2, (await _engine.Get<WakeUpPlanStore>().PlansAsync(u, Ct)).Count);
        }
    }

    [Fact]
    public async Task ACrashAfterTheColumn_BeforeThePlan_StartsThePlanOnTheNextRead_Once()
    {
        var users = await SeedAsync("crash", 2);
        // the first read got as far as the column: this night's plan id, no plan rows
        var planId = WakeUpSchedule.FirstDay(Night1, new WakeUpOptions().LocalTime, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        await _engine.Get<UserStore>().SetColumnAsync(UserEntity.WakeUpPlan, [.. users.Select(u => (u, (object)new LatestPlan(planId, Night1).Format()))], Ct);

        var resumed = await EnterAsync(users);
        var replayed = await EnterAsync(users);

        Assert.Equal((2, 0), (resumed.Started, resumed.NotStarted));
        Assert.Equal(0, replayed.Started);
        foreach (var u in users)
        {
            Assert.Equal(7, Assert.Single(await _engine.Get<WakeUpPlanStore>().PlansAsync(u, Ct)).Steps.Count);
        }
    }

    [Fact]
    public async Task MovingUp_EndsTheRunningPlan_ItsDueStepsCancelled()
    {
        var users = await SeedAsync("up", 2);
        Assert.Equal(2, (await EnterAsync(users)).Started);

        _clock.SetUtcNow(Night1.AddDays(2));
        var up = await _engine.Get<WakeUpStarter>().ApplyAsync([new TierTransition(users[0], "potential", "high-value", default)], Ct);

        Assert.Equal(1, up.Ended);
        var (ended, steps) = Assert.Single(await _engine.Get<WakeUpPlanStore>().PlansAsync(users[0], Ct));
        Assert.Equal(WakeUpPlanStates.Ended, ended.State);
        Assert.All(steps, s => Assert.Equal(WakeUpStepStates.Cancelled, s.Step.State));
        Assert.Equal(WakeUpPlanStates.Running, Assert.Single(await _engine.Get<WakeUpPlanStore>().PlansAsync(users[1], Ct)).Plan.State);
    }
}
