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
/// kill caught their message in flight, and nobody gets two. The Twilio fake takes the first
/// eighth of the messages and holds every later request, so the kill always lands mid-campaign
/// with sends in flight; the resuming engine's clock is moved past the dead worker's leases.
/// </summary>
public sealed class WorkerCrashTests : IAsyncLifetime
{
    private const int Users = 240;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private readonly StoppedClock _clock = new(TimeProvider.System.GetUtcNow()); // the child process claims on the real clock
    private TwilioFake _twilio = null!;
    private LocalEngine _engine = null!;
    private Dictionary<string, string?> _settings = null!;

    public async Task InitializeAsync()
    {
        _twilio = await TwilioFake.StartAsync();
        _twilio.Faults.Script = c => c.Index > Users / 8 ? TwilioFault.Hang : null;
        _settings = TestEngine.TwilioSettings(
            _twilio,
            "not-a-secret",
            ("Delivery:QuietHoursStart", "00:00"), // the child process runs on the real clock, at any hour
            ("Delivery:QuietHoursEnd", "00:00"),
            ("Delivery:SendLease", Lease.ToString()),
            ("Twilio:RequestTimeout", "00:10:00"), // a held send waits for the kill, not for a timeout
            ("Delivery:ChunkSize", "20"),
            ("Delivery:SendParallelism", "1"));
        _engine = await TestEngine.StartAsync(_clock, settings: _settings);
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

        // the real CLI as the worker process, killed once an eighth of the messages went out and the next ones hang
        using (var worker = StartWorker())
        {
            await TestEngine.WaitUntilAsync(() => (_twilio.Held > 0 && _twilio.Taken.Count() == Users / 8) || worker.HasExited, "the worker to send an eighth of the messages");
            if (worker.HasExited)
            {
                Assert.Fail("the worker ended before it could be killed: " + await worker.StandardError.ReadToEndAsync());
            }

            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }

        // the kill closed the held requests' connections: nothing more can reach the fake
        await TestEngine.WaitUntilAsync(() => _twilio.Held == 0, "the fake to see the killed worker's connections close");
        _twilio.Faults.Script = null;
        var atKill = _twilio.Taken.Count();
        Assert.Equal(Users / 8, atKill);
        var inFlight = _twilio.Requests.Count(r => r.Status == 499);
        Assert.InRange(inFlight, 1, 8);

        // the chunks it had received would come back when their visibility runs out (2 minutes); the resume re-enqueues what is open
        await (await _engine.Get<StorageClients>().QueueAsync(QueueNames.Deliveries)).ClearMessagesAsync();

        // its claims expire (the lease, on the resuming engine's clock), then the campaign is resumed by another worker
        var claimed = (await TestEngine.LedgerAsync(_engine, "crash-1")).Select(r => r.ClaimedAt).OfType<DateTimeOffset>().Max();
        _clock.Advance(TimeSpan.FromTicks(Math.Max(0, (claimed + Lease - _clock.GetUtcNow()).Ticks)) + TimeSpan.FromSeconds(1));
        await _engine.Get<CampaignResume>().ResumeAsync("crash-1", TestEngine.Deadline());
        await TestEngine.DrainAsync(_engine, QueueNames.Deliveries);

        var taken = _twilio.Taken.GroupBy(r => r.To).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(taken, kv => Assert.Equal(1, kv.Value)); // nobody got two
        var ledger = await TestEngine.LedgerAsync(_engine, "crash-1");
        Assert.Equal(Users, ledger.Count);
        Assert.All(ledger, r => Assert.Contains(r.State, new[] { DeliveryStates.Accepted, DeliveryStates.Unknown }));
        // an unknown row is one the kill caught between claim and outcome: every held send, at most one per worker slot
        var unknown = ledger.Count(r => r.State == DeliveryStates.Unknown);
        Assert.InRange(unknown, inFlight, 1 * 8); // SendParallelism x pump parallelism
        Assert.Equal(Users - unknown, ledger.Count(r => r.State == DeliveryStates.Accepted));
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
