using Engagement.Delivery;
using Engagement.Local.Fakes;

namespace Engagement.IntegrationTests.Cli;

/// <summary>
/// SIGTERM (or Ctrl-C) stops a real `engage` process within seconds, stops the Azurite it started,
/// and leaves nothing a rerun cannot finish; `engage drain` writes every queue's summary line when
/// its output is not a terminal.
/// </summary>
public sealed class ShutdownTests : IAsyncLifetime
{
    private const int Users = 160;

    // generous: the CLI gives a command 8 s to stop, then ends the process
    private static readonly TimeSpan ExitCap = TimeSpan.FromSeconds(15);

    private TwilioFake _twilio = null!;
    private LocalEngine _engine = null!;
    private Dictionary<string, string?> _settings = null!;

    public async Task InitializeAsync()
    {
        _twilio = await TwilioFake.StartAsync();
        _twilio.Faults.Latency = TimeSpan.FromMilliseconds(300); // a drain that is still sending when the signal comes
        _settings = TestEngine.TwilioSettings(
            _twilio,
            "not-a-secret",
            ("Delivery:QuietHoursStart", "00:00"), // the child process runs on the real clock, at any hour
            ("Delivery:QuietHoursEnd", "00:00"),
            ("Delivery:SendLease", "00:00:01"), // a claim cut by the signal is settled by the rerun
            ("Delivery:ChunkSize", "20"),
            ("Delivery:SendParallelism", "1"));
        _engine = await TestEngine.StartAsync(settings: _settings);
        _settings["Storage:ConnectionString"] = _engine.Azurite!.ConnectionString;
        _settings["Storage:UserShards"] = TestEngine.Shards.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    [Fact]
    public async Task Drain_SigtermMidCampaign_ExitsWithinSecondsAndARerunFinishesWithNobodyMessagedTwice()
    {
        await Population.SeedSmsRecipientsAsync(_engine, "t", "+861370014", Users, "regular");
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, """
            {"schemaVersion":1,"campaignId":"sigterm-1","name":"Member day","audience":{"tiers":["regular"]},
             "channels":[{"channel":"sms","template":"Member day: 18% off today"}]}
            """);
        await _engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());

        using (var first = EngageProcess.Start(_settings, "drain"))
        {
            await WaitForAsync(() => _twilio.Taken.Count() >= Users / 8 || first.Process.HasExited);
            Assert.False(first.Process.HasExited, "the drain ended before the signal: " + first.Errors);
            first.Terminate();
            Assert.True(await first.ExitsWithinAsync(ExitCap), $"still running {ExitCap.TotalSeconds} s after SIGTERM");
            Assert.Equal(130, first.Process.ExitCode);
        }

        Assert.InRange(_twilio.Taken.Count(), Users / 8, Users - 1);

        // the rerun takes the released chunks at once, settles the claims the signal cut, and sends the rest
        using (var rerun = EngageProcess.Start(_settings, "drain"))
        {
            Assert.True(await rerun.ExitsWithinAsync(TimeSpan.FromMinutes(2)), "the rerun did not finish");
            Assert.True(rerun.Process.ExitCode == 0, rerun.Output + rerun.Errors);
        }

        var taken = _twilio.Taken.GroupBy(r => r.To).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(taken, kv => Assert.Equal(1, kv.Value));
        var ledger = await TestEngine.LedgerAsync(_engine, "sigterm-1");
        Assert.Equal(Users, ledger.Count);
        Assert.All(ledger, r => Assert.Contains(r.State, new[] { DeliveryStates.Accepted, DeliveryStates.Unknown }));
        Assert.InRange(ledger.Count(r => r.State == DeliveryStates.Unknown), 0, 8); // in flight at the signal
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.Deliveries));
    }

    [Fact]
    public async Task Drain_OutputRedirected_PrintsEverySummaryLine()
    {
        await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, "not json"); // one dead-lettered, so one line is not all zeros

        using var drain = EngageProcess.Start(_settings, "drain");
        Assert.True(await drain.ExitsWithinAsync(TimeSpan.FromMinutes(1)), "drain did not finish");

        var lines = drain.Output.Split('\n', StringSplitOptions.TrimEntries);
        foreach (var queue in QueueNames.All)
        {
            Assert.Single(lines, l => l.StartsWith(queue + ": ", StringComparison.Ordinal) && l.Contains(" handled, ", StringComparison.Ordinal));
        }

        Assert.Contains($"{QueueNames.ActivityEvents}: 0 handled, 1 dead-lettered", lines);
        Assert.Equal(1, drain.Process.ExitCode);
    }

    [Fact]
    public async Task Demo_Sigterm_ExitsWithinSecondsAndStopsItsAzurite()
    {
        var home = Directory.CreateTempSubdirectory("engage-home-").FullName;
        try
        {
            using var demo = EngageProcess.Start(new Dictionary<string, string?> { ["ENGAGE_HOME"] = home }, "demo");
            await WaitForAsync(() => demo.NodeChildren().Count > 0 || demo.Process.HasExited);
            var azurite = Assert.Single(demo.NodeChildren());

            demo.Terminate();
            Assert.True(await demo.ExitsWithinAsync(ExitCap), $"still running {ExitCap.TotalSeconds} s after SIGTERM");
            Assert.Equal(130, demo.Process.ExitCode);
            await WaitForAsync(() => !EngageProcess.IsRunning(azurite));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after two minutes.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = TestEngine.Deadline();
        while (!condition())
        {
            await Task.Delay(10, deadline);
        }
    }
}
