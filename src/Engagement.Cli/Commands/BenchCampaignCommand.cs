using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Engagement.Local;
using Engagement.Local.Fakes;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class BenchCampaignSettings : CommandSettings
{
    [CommandOption("--users <N>")]
    [Description("Recipients of the unpaced SMS campaign.")]
    public int Users { get; init; } = 100_000;

    [CommandOption("--paced-seconds <S>")]
    [Description("Length of each paced run (10 and 100 segments per second).")]
    public int PacedSeconds { get; init; } = 20;
}

/// <summary>
/// An SMS campaign through the real pipeline (trigger, plan, chunks, policies, ledger, Twilio's
/// client) to the loopback Twilio fake on Azurite: sends per second unpaced, queue operations and
/// storage round-trips per recipient; then the achieved rate against configured paces.
/// </summary>
internal sealed class BenchCampaignCommand : AsyncCommand<BenchCampaignSettings>
{
    private static readonly int[] PacedRates = [10, 100];

    public override async Task<int> ExecuteAsync(CommandContext context, BenchCampaignSettings settings, CancellationToken cancellationToken)
    {
        await using var scratch = await CliEnvironment.StartScratchAsync(cancellationToken);
        await using var providers = await LocalProviders.StartAsync(cancellationToken);
        var paced = PacedRates.ToDictionary(r => r, r => r * settings.PacedSeconds);
        await SeedAsync(scratch, settings.Users, paced, cancellationToken);
        AnsiConsole.MarkupLine($"Seeded {settings.Users:N0} recipients (tier regular) and {paced.Values.Sum():N0} for the paced runs");

        var ok = await RunAsync("unpaced", "regular", settings.Users, 0) is { } unpaced;
        foreach (var (rate, count) in paced)
        {
            ok &= await RunAsync($"paced {rate}/s", Tier(rate), count, rate) is { } achieved && Math.Abs(achieved / rate - 1) <= 0.05;
        }

        return ok ? 0 : 1;

        async Task<double?> RunAsync(string label, string tier, int recipients, double rate)
        {
            // quiet hours off: the benchmark runs whatever the hour
            var configuration = providers.Apply(
                CliEnvironment.Configuration(),
                rate,
                new Dictionary<string, string?>
                {
                    ["Storage:ConnectionString"] = scratch.Azurite!.ConnectionString,
                    ["Delivery:QuietHoursStart"] = "00:00",
                    ["Delivery:QuietHoursEnd"] = "00:00",
                });
            await using var engine = await LocalEngine.StartAsync(configuration, azuriteDirectory: null, forceLocal: false, logLevel: LogLevel.Error, cancellationToken: cancellationToken);
            var counter = engine.Get<StorageRequestCounter>();
            var id = "bench-" + tier + "-" + Guid.NewGuid().ToString("N")[..6];
            var trigger = $$"""
                {"schemaVersion":1,"campaignId":"{{id}}","name":"Benchmark","audience":{"tiers":["{{tier}}"]},
                 "channels":[{"channel":"sms","template":"Member day: 18% off today"}]}
                """;
            var before = (counter.Total, counter.QueueTotal, providers.Twilio.Requests.Count);
            var t = Stopwatch.GetTimestamp();
            var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.CampaignTriggers, cancellationToken);
            await queue.SendMessageAsync(trigger, cancellationToken);
            await engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, cancellationToken);
            var planSeconds = Stopwatch.GetElapsedTime(t).TotalSeconds;
            var t2 = Stopwatch.GetTimestamp();
            await engine.Pump().DrainAsync(QueueNames.Deliveries, null, cancellationToken, idleWhenOnlyDelayed: TimeSpan.FromSeconds(5));
            var sendSeconds = Stopwatch.GetElapsedTime(t2).TotalSeconds;
            var sent = providers.Twilio.Requests.Skip(before.Item3).Where(r => r.Sid is not null).OrderBy(r => r.ArrivedAt).ToList();
            var table = counter.Total - before.Total - (counter.QueueTotal - before.QueueTotal);
            var queueOps = counter.QueueTotal - before.QueueTotal;
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]{label}[/]: {sent.Count:N0}/{recipients:N0} sent in {planSeconds + sendSeconds:F1} s from trigger to last send = [bold]{sent.Count / (planSeconds + sendSeconds):N0} sends/s[/] (plan {planSeconds:F1} s, send {sendSeconds:F1} s = {sent.Count / sendSeconds:N0}/s); queue operations {queueOps * 1.0 / recipients:F4} per recipient; table round-trips {table * 1.0 / recipients:F2} per recipient"));
            if (rate <= 0)
            {
                var handled = await CallBackAsync(engine, providers, counter, sent.Count, cancellationToken);
                return sent.Count == recipients && handled ? sent.Count / sendSeconds : null;
            }

            if (sent.Count < 20)
            {
                return sent.Count == recipients ? sent.Count / sendSeconds : null;
            }

            // steady pace: skip the first tenth (the bucket's initial burst), rate over the rest
            var steady = sent.Skip(sent.Count / 10).ToList();
            var seconds = Stopwatch.GetElapsedTime(steady[0].ArrivedAt, steady[^1].ArrivedAt).TotalSeconds;
            var achieved = (steady.Count - 1) / seconds;
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"  achieved {achieved:F2} segments/s against {rate:F0} configured ({(achieved / rate - 1) * 100:+0.0;-0.0}%)"));
            return sent.Count == recipients ? achieved : null;
        }
    }

    /// <summary>Twilio's "delivered" callback for each message sent, through the signed webhook and the provider-callbacks queue.</summary>
    private static async Task<bool> CallBackAsync(LocalEngine engine, LocalProviders providers, StorageRequestCounter counter, int expected, CancellationToken cancellationToken)
    {
        var requests = providers.Twilio.StatusCallbacks(LocalProviders.AuthToken, _ => ("delivered", null)).ToList();
        var before = (counter.Total, counter.QueueTotal);
        var latency = engine.Get<StorageClients>().Latency;
        var latencyBefore = latency.Snapshot();
        var t = Stopwatch.GetTimestamp();
        var run = await LocalWebhooks.DeliverAsync(engine, Callbacks.CallbackKinds.TwilioStatus, requests, cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(t).TotalSeconds;
        var requestTimes = latency.Snapshot().Since(latencyBefore);
        var queueOps = counter.QueueTotal - before.QueueTotal;
        var tableOps = counter.Total - before.Total - queueOps;
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]status callbacks[/]: {requests.Count:N0} signed, {run.Refused} refused; received and handled in {seconds:F1} s = [bold]{run.Handled / seconds:N0} callbacks/s[/] ({run.DeadLettered} dead-lettered); queue operations {queueOps * 1.0 / Math.Max(1, requests.Count):F2} and table round-trips {tableOps * 1.0 / Math.Max(1, requests.Count):F2} per callback"));
        // a stall shows here as requests of seconds, where the rate alone only drops
        AnsiConsole.MarkupLine(Markup.Escape($"  storage request times: {requestTimes}; {requestTimes.SlowCount} took over 1.024 s"));
        foreach (var slow in requestTimes.Slow.Take(5))
        {
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"    at {slow.At.TotalSeconds:F0} s: {slow.Operation} took {slow.Took.TotalSeconds:F1} s ({slow.Status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"})")));
        }

        return requests.Count == expected && run.Refused == 0 && run.DeadLettered == 0 && run.Handled == expected;
    }

    private static string Tier(int rate) => rate == 10 ? "high-value" : "potential";

    private static async Task SeedAsync(LocalEngine engine, int users, Dictionary<int, int> paced, CancellationToken ct)
    {
        var store = engine.Get<UserStore>();
        var all = Enumerable.Range(0, users).Select(i => ("regular", i))
            .Concat(paced.SelectMany(p => Enumerable.Range(0, p.Value).Select(i => (Tier(p.Key), users + p.Key * 100_000 + i))));
        foreach (var slice in all.Chunk(10_000))
        {
            await store.ReplaceAsync(slice.Select(x => new UserRecord
            {
                UserId = "b" + x.Item2.ToString("D7", CultureInfo.InvariantCulture),
                Profile = new UserProfile
                {
                    Phone = "+8613" + (800_000_000 + x.Item2).ToString(CultureInfo.InvariantCulture),
                    ConsentSms = true,
                    TimeZone = "Asia/Shanghai",
                    Source = "bench",
                },
                Standing = new RfmStanding(new RfmScores(3, 3, 3), x.Item1, null),
            }), 8, ct);
        }
    }
}
