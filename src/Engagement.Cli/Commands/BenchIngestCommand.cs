using System.Diagnostics;
using System.Globalization;
using Engagement.Activity;
using ActivityEvent = Engagement.Activity.ActivityEvent;
using Engagement.Local.Demo;
using Engagement.Segmentation;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>Activity events per second through the activity-events queue into Azurite.</summary>
internal sealed class BenchIngestCommand : AsyncCommand<BenchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        var users = settings.Users ?? 100_000;
        await using var engine = await CliEnvironment.StartScratchAsync(cancellationToken);
        var calendar = engine.Get<ActivityCalendar>();
        var counter = engine.Get<StorageRequestCounter>();
        var today = engine.Get<NightlyJob>().DefaultAsOf();
        // a month of the demo population's events, replayed in time order, as producers would send them
        var population = new DemoPopulation(users, today);
        var events = new List<ActivityEvent>(settings.Events);
        for (var d = 29; d >= 0 && events.Count < settings.Events; d--)
        {
            events.AddRange(population.EventsOn(today.AddDays(-d), calendar).Take(settings.Events - events.Count));
        }

        var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.ActivityEvents, cancellationToken);
        // two halves in time order: the first starts from a cold process (every user new, nothing
        // cached), the second is the steady state of a running instance
        var half = events.Count / 2;
        var dead = 0L;
        foreach (var (label, part) in new[] { ("first half (cold: users created, cache empty)", events[..half]), ("second half (warm instance)", events[half..]) })
        {
            // as a producer and the app would see it: from the first enqueue to the last write,
            // and every storage request on the way (the enqueue's included)
            var before = counter.Total;
            var t = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(part.Chunk(400), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (chunk, ct) =>
                await queue.SendMessageAsync(ActivityJson.Serialize(chunk), ct));
            var enqueueSeconds = Stopwatch.GetElapsedTime(t).TotalSeconds;
            var pumped = await engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, cancellationToken);
            var seconds = Stopwatch.GetElapsedTime(t).TotalSeconds;
            var requests = counter.Total - before;
            dead += pumped.DeadLettered;
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {part.Count:N0} events in {pumped.Handled:N0} messages: {seconds:F1} s from first enqueue to last write = [bold]{part.Count / seconds:N0} events/s[/] (enqueue {enqueueSeconds:F1} s, drain {seconds - enqueueSeconds:F1} s); {requests:N0} storage requests ({requests * 1000.0 / part.Count:F0} per 1,000 events, enqueue included); {pumped.DeadLettered} dead-lettered"));
        }

        return dead == 0 ? 0 : 1;
    }
}
