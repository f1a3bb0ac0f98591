using Engagement.Segmentation;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.IntegrationTests.ServiceDesk;

/// <summary>
/// The dedicated-service flag over three nights on Azurite with a fake clock: one user ("sv") moves
/// regular -> high-value -> regular among ten others whose activity is chosen so the quintiles put
/// them there, and the flag follows both moves with their as-of dates.
/// </summary>
public sealed class ServiceFlagTests
{
    private static readonly DateOnly Night1 = new(2026, 4, 1);
    private static readonly DateOnly Night2 = new(2026, 4, 4);
    private static readonly DateOnly Night3 = new(2026, 4, 10);
    private static readonly string[] Others = [.. Enumerable.Range(0, 10).Select(i => $"o{i}")];

    private static async Task IngestAsync(LocalEngine engine, StoppedClock clock, DateOnly night, IEnumerable<(string UserId, DateOnly Day, decimal Amount)> purchases)
    {
        clock.SetUtcNow(new DateTimeOffset(night.AddDays(1).ToDateTime(new TimeOnly(1, 0)), TimeSpan.Zero)); // 09:00 the next day in the ops zone
        foreach (var user in purchases.GroupBy(p => p.UserId))
        {
            var events = user.Select(p => ActivityJson.Purchase($"{p.UserId}-{p.Day:yyyyMMdd}", p.UserId, p.Amount, ActivityJson.At(p.Day, 20))).ToArray();
            await TestEngine.SendAsync(engine, QueueNames.ActivityEvents, ActivityJson.Many(events));
        }

        Assert.Equal(0, (await engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline())).DeadLettered);
    }

    private static async Task<string> NightAsync(LocalEngine engine, DateOnly asOf, NightlyStartMode mode = NightlyStartMode.StartOrResume)
    {
        var run = await LocalNightly.RunAsync(engine, asOf, mode, null, TestEngine.Deadline());
        Assert.True(run.IsComplete, $"run {run.RunId} is in phase {run.Phase}");
        return (await engine.Get<UserStore>().GetAsync("sv", TestEngine.Deadline()))!.Standing!.Tier;
    }

    /// <summary>The `engage service-list` the service team runs, against this engine's storage.</summary>
    private static async Task<string> ServiceListAsync(LocalEngine engine, params string[] options)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = engine.Azurite!.ConnectionString,
            ["Storage:UserShards"] = TestEngine.Shards.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["NO_COLOR"] = "1",
        };
        using var cli = Cli.EngageProcess.Start(settings, ["service-list", .. options]);
        Assert.True(await cli.ExitsWithinAsync(TimeSpan.FromMinutes(1)), "service-list did not finish");
        Assert.True(cli.Process.ExitCode == 0, cli.Output + cli.Errors);
        return cli.Output;
    }

    private static IEnumerable<(string, DateOnly, decimal)> Days(string userId, DateOnly first, int days, decimal amount) =>
        Enumerable.Range(0, days).Select(i => (userId, first.AddDays(i), amount));

    [Fact]
    public async Task HighValueUser_FlagFollowsTwoTierChanges_AndARedeliveredAssignWritesNoDuplicate()
    {
        var clock = new StoppedClock(DateTimeOffset.UnixEpoch);
        // the first shard write of a flag change crashes after writing, before the standings: the queue redelivers it
        var faults = new FaultingLoggerProvider("LogFlagsWritten");
        await using var engine = await TestEngine.StartAsync(clock, s => s.AddLogging(b => b.ClearProviders().AddProvider(faults)), LogLevel.Debug);
        var flags = engine.Get<ServiceFlags>();

        // night 1: sv bought twice ten days ago (R1 F5 M1: regular); the others once that day (dormant)
        await IngestAsync(engine, clock, Night1, Others.Select(o => (o, Night1, 100m)).Concat(Days("sv", Night1.AddDays(-10), 2, 10m)));
        Assert.Equal("regular", await NightAsync(engine, Night1));
        Assert.Null(await flags.GetAsync("sv", TestEngine.Deadline()));
        Assert.Empty(await flags.FlaggedAsync(null, TestEngine.Deadline()));

        // night 2: sv bought on each of the last three days, big (R5 F5 M5: high-value)
        await IngestAsync(engine, clock, Night2, Days("sv", Night2.AddDays(-2), 3, 500m));
        Assert.Equal("high-value", await NightAsync(engine, Night2));
        Assert.Equal(1, faults.Thrown);
        Assert.Equal(new ServiceFlag("sv", true, Night2, "high-value"), await flags.GetAsync("sv", TestEngine.Deadline()));
        Assert.Equal(["sv"], (await flags.FlaggedAsync(null, TestEngine.Deadline())).Select(f => f.UserId));
        Assert.Equal(["sv"], (await flags.FlaggedAsync(Night2, TestEngine.Deadline())).Select(f => f.UserId));
        Assert.Empty(await flags.FlaggedAsync(Night2.AddDays(1), TestEngine.Deadline()));
        Assert.Contains("│ sv   │ 2026-04-04    │ high-value │", await ServiceListAsync(engine), StringComparison.Ordinal);
        Assert.DoesNotContain("sv", await ServiceListAsync(engine, "--since", "2026-04-05"), StringComparison.Ordinal);

        // night 3: the others bought on three recent days for more: sv is behind on R and M again (regular)
        await IngestAsync(engine, clock, Night3, Others.SelectMany(o => Days(o, Night3.AddDays(-2), 3, 1000m)));
        Assert.Equal("regular", await NightAsync(engine, Night3));
        Assert.Equal(new ServiceFlag("sv", false, Night3, "regular"), await flags.GetAsync("sv", TestEngine.Deadline()));
        Assert.Empty(await flags.FlaggedAsync(null, TestEngine.Deadline()));

        // an operator re-runs night 3: nothing moves, nothing is written
        Assert.Equal("regular", await NightAsync(engine, Night3, NightlyStartMode.NewAttempt));
        Assert.Equal(
            [new ServiceFlagChange("sv", true, Night2, "regular", "high-value"), new ServiceFlagChange("sv", false, Night3, "high-value", "regular")],
            await flags.HistoryAsync("sv", TestEngine.Deadline()));
        // written on night 2 (crashed), again on its redelivery (the same rows), and on night 3; the re-run wrote nothing
        Assert.Equal(3, faults.Matched);
        Assert.Equal(3, (await TestEngine.QueryAsync(engine, TableNames.ServiceFlags, "PartitionKey ne ''")).Count); // sv's flag and two changes
    }
}
