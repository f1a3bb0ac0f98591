using System.Diagnostics;
using System.Globalization;
using Engagement.Activity;
using Engagement.Ingest;
using Engagement.Local;
using Engagement.Local.Demo;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>The nightly run on Azurite: a first night (everyone gets a tier), then a night after a day of activity.</summary>
internal sealed class BenchNightlyCommand : AsyncCommand<BenchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        var users = settings.Users ?? 100_000;
        await using var engine = await CliEnvironment.StartScratchAsync(cancellationToken);
        var counter = engine.Get<StorageRequestCounter>();
        var calendar = engine.Get<ActivityCalendar>();
        var today = engine.Get<NightlyJob>().DefaultAsOf();
        var population = new DemoPopulation(users, today.AddDays(-1));
        var t = Stopwatch.GetTimestamp();
        foreach (var slice in population.Generate(calendar).Chunk(10_000))
        {
            await engine.Get<UserStore>().ReplaceAsync(slice, 8, cancellationToken);
        }

        AnsiConsole.MarkupLine($"Seeded {users:N0} users in {Stopwatch.GetElapsedTime(t).TotalSeconds:F1} s");
        await Night("night 1 (every user new)", today.AddDays(-1));
        await Night("night 1 again (re-run, nothing changed)", today.AddDays(-1));
        // a quieter day keeps the events of a deterministic share of the users (by id hash)
        var events = population.EventsOn(today, calendar)
            .Where(e => settings.DayShare >= 1 || System.IO.Hashing.XxHash32.HashToUInt32(System.Text.Encoding.UTF8.GetBytes(e.UserId)) % 10_000 < settings.DayShare * 10_000)
            .ToList();
        await engine.Get<ActivityIngestHandler>().IngestAsync(events, cancellationToken);
        AnsiConsole.MarkupLine($"Ingested {events.Count:N0} events for {today:yyyy-MM-dd}");
        await Night("night 2 (after a day of activity)", today);
        return 0;

        async Task Night(string label, DateOnly asOf)
        {
            var before = counter.Total;
            var started = Stopwatch.GetTimestamp();
            var run = await LocalNightly.RunAsync(engine, asOf, NightlyStartMode.NewAttempt, null, cancellationToken);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var requests = counter.Total - before;
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {seconds:F1} s wall, {run.ChangedUsers:N0} users written ({100.0 * run.ChangedUsers / users:F1}%), {run.Transitions:N0} changed tier ({100.0 * run.Transitions / users:F1}%), {requests:N0} storage requests = {requests * 1000.0 / users:F2} per 1,000 users (queue and table, retries included)"));
        }
    }
}
