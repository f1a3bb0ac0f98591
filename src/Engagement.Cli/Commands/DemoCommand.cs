using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Engagement.Activity;
using ActivityEvent = Engagement.Activity.ActivityEvent;
using Engagement.Local;
using Engagement.Local.Fakes;
using Engagement.Local.Demo;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        /// <summary>The month-long run's default population: a month of 100,000 users on one local Azurite takes over two hours (docs/decisions.md).</summary>
        public const int MonthUsers = 10_000;

        [CommandOption("--users <N>")]
        [Description("How many synthetic users (default 100,000; 10,000 with --days).")]
        public int? UsersOption { get; init; }

        public int Users => UsersOption ?? (Days > 0 ? MonthUsers : 100_000);

        [CommandOption("--seed <N>")]
        [Description("Random seed; the same seed gives the same population.")]
        public int Seed { get; init; } = 2026;

        [CommandOption("--days <N>")]
        [Description("Live N days on a demo clock (nightly runs, playbook timers, simulated answers) and print each playbook run's outcome; 0 (default) is the short demo.")]
        public int Days { get; init; }

        public override ValidationResult Validate() =>
            Users is < 100 or > 2_000_000 ? ValidationResult.Error("--users must be between 100 and 2,000,000")
            : Days is < 0 or > 120 ? ValidationResult.Error("--days must be between 0 and 120")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Days > 0)
        {
            return await DemoMonthRun.RunAsync(settings, cancellationToken);
        }

        AnsiConsole.MarkupLine("[bold]Engagement demo[/]: a fresh, in-memory Azurite; nothing touches real storage.");
        // synthetic users have made-up phone numbers: the demo never talks to a real provider
        await using var providers = await LocalProviders.StartAsync(cancellationToken);
        var configuration = CliEnvironment.Configuration();
        AnsiConsole.MarkupLine(LocalProviders.SmsConfigured(configuration)
            ? $"[yellow]Provider credentials are configured, but the demo's synthetic users only ever get messages through the loopback Twilio fake ({providers.Twilio.BaseUrl}).[/]"
            : $"[grey]No provider credentials configured: SMS go to the loopback Twilio fake at {providers.Twilio.BaseUrl} (Twilio's own client, real HTTP).[/]");
        await using var engine = await CliEnvironment.StartScratchAsync(cancellationToken, providers.Apply(configuration));
        AnsiConsole.MarkupLine($"[grey]Azurite listening on 127.0.0.1 (queues :{engine.Azurite!.QueuePort}, tables :{engine.Azurite.TablePort})[/]");

        var job = engine.Get<NightlyJob>();
        var calendar = engine.Get<ActivityCalendar>();
        var segmentation = engine.Get<IOptions<SegmentationOptions>>().Value;
        var today = job.DefaultAsOf();            // the last complete day
        var firstNight = today.AddDays(-1);       // history ends the day before; "today" arrives through the queue
        var population = new DemoPopulation(settings.Users, firstNight, days: 120, seed: settings.Seed);
        NightlyRunSummary first = null!, second = null!;
        Local.Queues.PumpProgress campaignResult = null!;
        CallbackTally callbacks = null!;
        long eventsIngested = 0;
        double ingestSeconds = 0;

        await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var seed = ctx.AddTask($"Generate and store {settings.Users:N0} users, 120 days of activity", maxValue: settings.Users);
                var store = engine.Get<UserStore>();
                var written = 0;
                foreach (var slice in population.Generate(calendar).Chunk(10_000))
                {
                    await store.ReplaceAsync(slice, parallelism: 8, cancellationToken);
                    written += slice.Length;
                    seed.Value = written;
                }

                first = await RunNightAsync(ctx, engine, firstNight, cancellationToken);

                var events = population.EventsOn(today, calendar).ToList();
                var ingest = ctx.AddTask($"Ingest {events.Count:N0} events of {today:yyyy-MM-dd} through the activity-events queue", maxValue: events.Count);
                var watch = Stopwatch.StartNew();
                var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.ActivityEvents, cancellationToken);
                // producers batch: one message carries up to 400 events (~50 KB, under the 64 KiB limit)
                await Parallel.ForEachAsync(events.Chunk(400), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (chunk, ct) =>
                    await queue.SendMessageAsync(ActivityJson.Serialize(chunk), ct));
                await engine.Pump().DrainAsync(QueueNames.ActivityEvents, new Progress<Local.Queues.PumpProgress>(p => ingest.Value = Math.Min(events.Count, p.Handled * 400)), cancellationToken);
                ingest.Value = events.Count;
                eventsIngested = events.Count;
                ingestSeconds = watch.Elapsed.TotalSeconds;

                second = await RunNightAsync(ctx, engine, today, cancellationToken);

                var campaign = ctx.AddTask("Win-back campaign to dormant users (in-app + SMS) through the deliveries queue", maxValue: 1);
                var triggers = await engine.Get<StorageClients>().QueueAsync(QueueNames.CampaignTriggers, cancellationToken);
                await triggers.SendMessageAsync(WinBackTrigger(engine.Get<TimeProvider>().GetUtcNow()), cancellationToken);
                await engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, cancellationToken);
                campaignResult = await engine.Pump().DrainAsync(QueueNames.Deliveries, new Progress<Local.Queues.PumpProgress>(p =>
                {
                    campaign.MaxValue = Math.Max(1, p.Handled + Math.Max(0, p.Remaining));
                    campaign.Value = p.Handled;
                }), cancellationToken, idleWhenOnlyDelayed: TimeSpan.FromSeconds(2));
                campaign.Value = campaign.MaxValue;

                callbacks = await CallBackAsync(ctx, engine, providers, cancellationToken);
            });

        AnsiConsole.WriteLine();
        CliEnvironment.PrintRun(first);
        AnsiConsole.MarkupLine($"Ingested {eventsIngested:N0} events in {ingestSeconds:F1} s ({eventsIngested / Math.Max(0.001, ingestSeconds):N0} events/s, queue + handler).");
        CliEnvironment.PrintRun(second);
        AnsiConsole.WriteLine();
        CliEnvironment.PrintTiers(second, segmentation);
        var tiers = segmentation.Rules.Select(r => r.Tier).ToList();
        CliEnvironment.PrintMovements(await engine.Get<TierTransitionLog>().MovementsAsync(today, cancellationToken), tiers, $"Who moved on {today:yyyy-MM-dd}");
        var ok = segmentation.Rules.All(r => r.TargetShare is not { } t || Math.Abs((double)second.TierCounts.GetValueOrDefault(r.Tier) / Math.Max(1, second.TierCounts.Values.Sum()) - t) <= 0.03);
        AnsiConsole.MarkupLine(ok ? "[green]Tier shares are within 3 points of the playbook's 15/30/40/15.[/]" : "[yellow]Tier shares are more than 3 points off the playbook's targets.[/]");
        AnsiConsole.WriteLine();
        await PrintCampaignAsync(engine, providers, campaignResult, cancellationToken);
        AnsiConsole.MarkupLine($"Twilio called back {callbacks.Delivered + callbacks.Undelivered:N0} times through the signed status webhook: {callbacks.Delivered:N0} delivered, {callbacks.Undelivered:N0} undelivered to unreachable numbers (now suppressed); a 退订 reply removed SMS consent from {callbacks.OptedOut} user(s).");
        AnsiConsole.MarkupLine("[grey]Stopping Azurite; the demo data goes with it.[/]");
        return 0;
    }

    private const string WinBackId = "demo-winback";

    /// <summary>The playbook's dormant treatment: warm wording, a time-limited offer, in-app plus at most one SMS a month.</summary>
    private static string WinBackTrigger(DateTimeOffset now) => $$"""
        {
          "schemaVersion": 1,
          "campaignId": "{{WinBackId}}",
          "name": "We miss you",
          "audience": { "tiers": ["dormant"] },
          "channels": [
            { "channel": "inapp", "title": "It has been a while", "template": "Your {{ "{{ interest }}" }} picks are waiting: 30% off until {{ "{{ expires_at }}" }}." },
            { "channel": "sms", "template": "We saved your {{ "{{ interest }}" }} picks: 30% off until {{ "{{ expires_at }}" }}." }
          ],
          "expiresAt": "{{now.AddDays(7).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)}}",
          "holdoutPercent": 10
        }
        """;

    private static async Task PrintCampaignAsync(LocalEngine engine, LocalProviders providers, Local.Queues.PumpProgress result, CancellationToken ct)
    {
        var counts = await engine.Get<Delivery.DeliveryLedger>().CountAsync(WinBackId, engine.Get<UserShards>().All, ct);
        CliEnvironment.PrintDeliveryCounts($"Campaign {WinBackId}: deliveries by channel and state", "state", counts);
        AnsiConsole.MarkupLine($"The loopback Twilio fake took {providers.Twilio.Taken.Count():N0} SMS; in-app messages are in the inbox table.");
        if (result.Remaining > 0)
        {
            AnsiConsole.MarkupLine($"[grey]{result.Remaining:N0} chunk(s) wait on the deliveries queue: SMS deferred by quiet hours (21:00-09:00 in each user's own zone).[/]");
        }
    }

    private sealed record CallbackTally(int Delivered, int Undelivered, int OptedOut);

    /// <summary>
    /// What Twilio does next: a status callback per SMS (2% of numbers unreachable, error 30006) and one
    /// recipient replying 退订, each signed and sent through the same webhook handler and queue the
    /// TwilioStatus / TwilioInbound functions use.
    /// </summary>
    private static async Task<CallbackTally> CallBackAsync(ProgressContext ctx, LocalEngine engine, LocalProviders providers, CancellationToken ct)
    {
        static bool Unreachable(string number) => System.IO.Hashing.XxHash32.HashToUInt32(System.Text.Encoding.UTF8.GetBytes(number)) % 50 == 0;
        var requests = providers.Twilio.StatusCallbacks(LocalProviders.AuthToken, r => Unreachable(r.To) ? ("undelivered", "30006") : ("delivered", null)).ToList();
        var task = ctx.AddTask($"Twilio calls back: {requests.Count:N0} signed status callbacks and a 退订 reply through the webhooks", maxValue: requests.Count + 1);
        await LocalWebhooks.DeliverAsync(engine, Callbacks.CallbackKinds.TwilioStatus, requests, ct, new Progress<int>(n => task.Value = n));
        var replier = providers.Twilio.Taken.FirstOrDefault(r => !Unreachable(r.To));
        if (replier is not null)
        {
            var stop = TwilioFake.Inbound(LocalProviders.InboundWebhook, replier.To, replier.From ?? "", "退订", LocalProviders.AuthToken);
            await LocalWebhooks.DeliverAsync(engine, Callbacks.CallbackKinds.TwilioInbound, [stop], ct);
        }

        task.Value = task.MaxValue;

        // read back: the users with that number who no longer have SMS consent
        var optedOut = 0;
        foreach (var userId in replier is null ? [] : await engine.Get<PhoneIndex>().UsersWithAsync(replier.To, ct))
        {
            optedOut += (await engine.Get<UserStore>().GetAsync(userId, ct)) is { Profile.ConsentSms: false } ? 1 : 0;
        }

        // what the ledger now says, not what was sent
        var statuses = (await engine.Get<Delivery.DeliveryLedger>().RowsAsync(WinBackId, engine.Get<UserShards>().All, ct))
            .Select(r => r.ProviderStatus).OfType<string>().CountBy(status => status).ToDictionary();
        return new CallbackTally(statuses.GetValueOrDefault("delivered"), statuses.GetValueOrDefault("undelivered"), optedOut);
    }

    private static async Task<NightlyRunSummary> RunNightAsync(ProgressContext ctx, LocalEngine engine, DateOnly asOf, CancellationToken ct)
    {
        var shards = engine.Get<UserShards>().Count;
        var task = ctx.AddTask($"Nightly RFM run as of {asOf:yyyy-MM-dd} ({shards} shards x 2 phases)", maxValue: shards * 2);
        var summary = await LocalNightly.RunAsync(engine, asOf, NightlyStartMode.NewAttempt, new Progress<Local.Queues.PumpProgress>(p => task.Value = Math.Min(shards * 2, p.Handled)), ct);
        task.Value = shards * 2;
        return summary;
    }
}

/// <summary>Writes events in the queue contract's JSON shape (what a producer would send).</summary>
internal static class ActivityJson
{
    public static string Serialize(IEnumerable<ActivityEvent> events) =>
        JsonSerializer.Serialize(events.Select(e => new Dictionary<string, object?>
        {
            ["eventId"] = e.EventId,
            ["userId"] = e.UserId,
            ["type"] = e.Type.ToString().ToLowerInvariant(),
            ["amount"] = e.Type == ActivityType.Purchase ? e.AmountMinor / 100m : null,
            ["category"] = e.Category,
            ["occurredAt"] = e.OccurredAt,
        }));
}
