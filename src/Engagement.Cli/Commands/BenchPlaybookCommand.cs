using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Engagement.Local;
using Engagement.Local.Fakes;
using Engagement.Playbooks;
using Engagement.Storage;
using Engagement.Users;
using Engagement.Wallet;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class BenchPlaybookSettings : CommandSettings
{
    [CommandOption("--users <N>")]
    [Description("Users in each population; 15% of them are dormant (the win-back's audience).")]
    public int Users { get; init; } = 100_000;
}

/// <summary>
/// The win-back playbook's run (plan, coupons, in-app and SMS to the loopback Twilio fake) against the
/// same audience sent the same channels as a plain campaign without coupons, each on a fresh Azurite
/// with the same population: sends/s and table round-trips per recipient, side by side, so the
/// coupons' cost shows as the difference.
/// </summary>
internal sealed class BenchPlaybookCommand : AsyncCommand<BenchPlaybookSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchPlaybookSettings settings, CancellationToken cancellationToken)
    {
        await using var providers = await LocalProviders.StartAsync(cancellationToken);
        var baseline = await RunAsync(settings.Users, providers, withPlaybook: false, cancellationToken);
        var winBack = await RunAsync(settings.Users, providers, withPlaybook: true, cancellationToken);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]win-back / pipeline[/]: {winBack.SendsPerSecond / baseline.SendsPerSecond:F2}x the sends/s; {winBack.TablePerRecipient - baseline.TablePerRecipient:+0.000;-0.000} table round-trips per recipient for the coupons ({winBack.Coupons:N0} issued)"));
        return winBack.Coupons > 0 && winBack.Sent > 0 && baseline.Sent > 0 ? 0 : 1;
    }

    private sealed record Result(long Recipients, long Sent, long Coupons, double SendsPerSecond, double TablePerRecipient);

    private static async Task<Result> RunAsync(int users, LocalProviders providers, bool withPlaybook, CancellationToken ct)
    {
        // quiet hours off, and the win-back due every minute with a run a day, so the run is due now whatever the date
        var configuration = providers.Apply(CliEnvironment.Configuration(), more: new Dictionary<string, string?>
        {
            ["Delivery:QuietHoursStart"] = "00:00",
            ["Delivery:QuietHoursEnd"] = "00:00",
            ["Playbooks:winback:Schedule"] = "0 * * * * *",
            ["Playbooks:winback:Period"] = "Day",
            ["Playbooks:highvalue:Enabled"] = "false",
        });
        await using var engine = await CliEnvironment.StartScratchAsync(ct, configuration);
        var dormant = await SeedAsync(engine, users, ct);
        var counter = engine.Get<StorageRequestCounter>();
        var sentBefore = providers.Twilio.Requests.Count(r => r.Sid is not null);
        var before = (counter.Total, counter.QueueTotal);
        var t = Stopwatch.GetTimestamp();
        string label, campaignId;
        if (withPlaybook)
        {
            var start = (await engine.Get<PlaybookRuns>().StartDueAsync(ct)).Single(s => s.Playbook == "winback");
            if (start.Outcome != PlaybookStartOutcomes.Started)
            {
                throw new InvalidOperationException(start.Detail);
            }

            (label, campaignId) = ("win-back playbook run (in-app + SMS + coupon)", start.RunId!);
        }
        else
        {
            campaignId = "bench-pipeline";
            label = "plain campaign (in-app + SMS, no coupon)";
            var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.CampaignTriggers, ct);
            await queue.SendMessageAsync($$"""
                {"schemaVersion":1,"campaignId":"{{campaignId}}","name":"Benchmark","audience":{"tiers":["dormant"]},"holdoutPercent":10,
                 "channels":[{"channel":"inapp","title":"We miss you","template":"Come back: 20 off this week"},{"channel":"sms","template":"Come back: 20 off this week"}]}
                """, ct);
        }

        await engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, ct);
        await engine.Pump().DrainAsync(QueueNames.Deliveries, null, ct, idleWhenOnlyDelayed: TimeSpan.FromSeconds(5));
        var seconds = Stopwatch.GetElapsedTime(t).TotalSeconds;
        var sent = providers.Twilio.Requests.Count(r => r.Sid is not null) - sentBefore;
        var table = counter.Total - before.Total - (counter.QueueTotal - before.QueueTotal);
        var coupons = (await engine.Get<WalletStore>().CountAsync(campaignId, ct)).Issued;
        var result = new Result(dormant, sent, coupons, sent / seconds, table * 1.0 / dormant);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]{label}[/] to {dormant:N0} dormant of {users:N0}: {sent:N0} SMS in {seconds:F1} s from trigger to last send = [bold]{result.SendsPerSecond:N0} SMS/s[/]; {coupons:N0} coupons; table round-trips {result.TablePerRecipient:F3} per recipient ({table:N0}); queue operations {(counter.QueueTotal - before.QueueTotal) * 1.0 / dormant:F4} per recipient"));
        return result;
    }

    /// <summary>The same population every time: 15% dormant with SMS consent and a Chinese number, the rest regular.</summary>
    private static async Task<long> SeedAsync(LocalEngine engine, int users, CancellationToken ct)
    {
        var store = engine.Get<UserStore>();
        long dormant = 0;
        foreach (var slice in Enumerable.Range(0, users).Chunk(10_000))
        {
            await store.ReplaceAsync(slice.Select(i =>
            {
                var tier = i % 20 < 3 ? "dormant" : "regular";
                dormant += tier == "dormant" ? 1 : 0;
                return new UserRecord
                {
                    UserId = "w" + i.ToString("D7", CultureInfo.InvariantCulture),
                    Profile = new UserProfile { Phone = "+8613" + (800_000_000 + i).ToString(CultureInfo.InvariantCulture), ConsentSms = true, TimeZone = "Asia/Shanghai", Source = "bench" },
                    Standing = new RfmStanding(new RfmScores(1, 1, 1), tier, null),
                };
            }).ToList(), 8, ct);
        }

        return dormant;
    }
}
