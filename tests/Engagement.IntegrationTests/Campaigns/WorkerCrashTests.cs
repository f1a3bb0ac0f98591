using System.Diagnostics;
using System.Reflection;
using Azure;
using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Local.Fakes;
using Engagement.Users;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// A worker process is killed in the middle of a campaign (the real `engage drain`, SIGKILL), then
/// the campaign is resumed: every recipient ends with exactly one message, or `unknown` if the
/// kill caught their message in flight, and nobody gets two.
/// </summary>
public sealed class WorkerCrashTests : IAsyncLifetime
{
    private const int Users = 240;
    private TwilioFake _twilio = null!;
    private LocalEngine _engine = null!;
    private Dictionary<string, string?> _settings = null!;

    public async Task InitializeAsync()
    {
        _twilio = await TwilioFake.StartAsync();
        _twilio.Faults.Latency = TimeSpan.FromMilliseconds(300); // slow enough to be killed mid-way
        _settings = TestEngine.TwilioSettings(
            _twilio,
            "not-a-secret",
            ("Delivery:QuietHoursStart", "00:00"), // the child process runs on the real clock, at any hour
            ("Delivery:QuietHoursEnd", "00:00"),
            ("Delivery:SendLease", "00:00:03"),
            ("Delivery:ChunkSize", "20"),
            ("Delivery:SendParallelism", "1"));
        _engine = await TestEngine.StartAsync(settings: _settings);
        await Population.SeedSmsRecipientsAsync(_engine, "k", "+861370013", Users, "regular");
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    [Fact]
    public async Task WorkerKilledMidCampaign_ResumeLeavesEveryRecipientWithOneMessageAtMost()
    {
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, """
            {"schemaVersion":1,"campaignId":"crash-1","name":"Member day","audience":{"tiers":["regular"]},
             "channels":[{"channel":"sms","template":"Member day: 18% off today"}]}
            """);
        await _engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());

        // the real CLI as the worker process, killed once an eighth of the messages went out
        using (var worker = StartWorker())
        {
            var deadline = Stopwatch.StartNew();
            while (_twilio.Taken.Count() < Users / 8 && !worker.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(5);
            }

            if (worker.HasExited)
            {
                Assert.Fail("the worker ended before it could be killed: " + await worker.StandardError.ReadToEndAsync());
            }

            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }

        var atKill = _twilio.Taken.Count();
        Assert.InRange(atKill, Users / 8, Users - 1);

        // its claims expire (3 s lease), then the campaign is resumed by another worker
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        await _engine.Get<CampaignResume>().ResumeAsync("crash-1", TestEngine.Deadline());
        await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1));

        var taken = _twilio.Taken.GroupBy(r => r.To).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(taken, kv => Assert.Equal(1, kv.Value)); // nobody got two
        var ledger = await TestEngine.LedgerAsync(_engine, "crash-1");
        Assert.Equal(Users, ledger.Count);
        Assert.All(ledger, r => Assert.Contains(r.GetString("State"), new[] { DeliveryStates.Accepted, DeliveryStates.Unknown }));
        // an unknown row is one the kill caught between claim and outcome: at most one per in-flight send
        var unknown = ledger.Count(r => r.GetString("State") == DeliveryStates.Unknown);
        Assert.InRange(unknown, 0, 1 * 8); // SendParallelism x pump parallelism
        Assert.Equal(Users - unknown, ledger.Count(r => r.GetString("State") == DeliveryStates.Accepted));
        Assert.True(taken.Count >= Users - unknown);
    }

    private Process StartWorker()
    {
        var cli = typeof(WorkerCrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "EngageCli").Value!;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(cli);
        psi.ArgumentList.Add("drain");
        psi.Environment["Storage__ConnectionString"] = _engine.Azurite!.ConnectionString;
        psi.Environment["Storage__UserShards"] = TestEngine.Shards.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in _settings)
        {
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }
}
