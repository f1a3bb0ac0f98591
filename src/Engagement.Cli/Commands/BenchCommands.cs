using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Engagement.Activity;
using ActivityEvent = Engagement.Activity.ActivityEvent;
using Engagement.Local;
using Engagement.Local.Demo;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class BenchSettings : CommandSettings
{
    [CommandOption("--users <N>")]
    [Description("Population size.")]
    public int? Users { get; init; }

    [CommandOption("--events <N>")]
    [Description("Events to ingest (bench ingest).")]
    public int Events { get; init; } = 200_000;

    [CommandOption("--day-share <SHARE>")]
    [Description("bench nightly: share of the users whose next-day events are ingested before night 2 (1 = the whole day; lower = a quieter day, fewer tier changes).")]
    public double DayShare { get; init; } = 1.0;
}

/// <summary>Scoring 1,000,000 users in memory, side by side with pandas on the same file.</summary>
internal sealed class BenchScoreCommand : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        var users = settings.Users ?? 1_000_000;
        var dir = Directory.CreateTempSubdirectory("engage-bench-").FullName;
        var input = Path.Combine(dir, "rfm.csv");
        WriteSyntheticInput(input, users);
        AnsiConsole.MarkupLine($"Input: {users:N0} users in {Markup.Escape(input)} ({new FileInfo(input).Length / 1e6:F1} MB)");
        var classifier = ScoreCommand.Classifier();

        // warm-up on a small slice so JIT time is not billed to the first measurement
        var warm = ScoreCsv.Read(input, maxRows: 10_000);
        ScoreCsv.Write(Path.Combine(dir, "warm.csv"), warm.Ids, RfmBatchScorer.Score(warm.Values, classifier));

        var t0 = Stopwatch.GetTimestamp();
        var parsed = ScoreCsv.Read(input);
        var readSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var scoreTimes = new List<double>();
        long allocated = 0;
        RfmBatchScorer.Result result = null!;
        for (var i = 0; i < 5; i++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var t = Stopwatch.GetTimestamp();
            result = RfmBatchScorer.Score(parsed.Values, classifier);
            scoreTimes.Add(Stopwatch.GetElapsedTime(t).TotalSeconds);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        var output = Path.Combine(dir, "scores.csv");
        var tw = Stopwatch.GetTimestamp();
        ScoreCsv.Write(output, parsed.Ids, result);
        var writeSeconds = Stopwatch.GetElapsedTime(tw).TotalSeconds;
        scoreTimes.Sort();
        var score = scoreTimes[scoreTimes.Count / 2];
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"engage: read {readSeconds:F3} s, score {score:F3} s (median of 5; {allocated / 1e6:F0} MB allocated per scoring), write {writeSeconds:F3} s, total {readSeconds + score + writeSeconds:F3} s; process peak working set {peak / 1e6:F0} MB"));

        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var script = Path.Combine(AppContext.BaseDirectory, "Bench", "pandas_rfm.py");
        var options = CliEnvironment.Configuration().GetSection(SegmentationOptions.SectionName);
        var rules = (options.Get<SegmentationOptions>() ?? new SegmentationOptions()).Rules;
        if (rules.Any(r => r.MinR > 1 || r.MinF > 1 || r.MinM > 1))
        {
            AnsiConsole.MarkupLine("[yellow]pandas comparison skipped: its script implements total-score rules only.[/]");
            return 0;
        }

        var pandasOut = Path.Combine(dir, "scores-pandas.csv");
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, input, pandasOut, classifier.Classify(RfmValues.NoHistory, RfmScores.None, null, default) }
            .Concat(rules.Select(r => r.Tier + "=" + r.MinTotal.ToString(CultureInfo.InvariantCulture))))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            AnsiConsole.MarkupLine($"[yellow]pandas comparison skipped ({Markup.Escape(stderr.Split('\n').LastOrDefault(l => l.Length > 0) ?? "python3 failed")}). Install Debian's python3-pandas to run it.[/]");
            return 0;
        }

        var pd = JsonSerializer.Deserialize<Dictionary<string, double>>(stdout)!;
        var same = File.ReadLines(output).SequenceEqual(File.ReadLines(pandasOut));
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"pandas: read {pd["read"]:F3} s, score {pd["score"]:F3} s, write {pd["write"]:F3} s, total {pd["total"]:F3} s"));
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio (pandas / engage): scoring {pd["score"] / score:F1}x, end to end {pd["total"] / (readSeconds + score + writeSeconds):F1}x; outputs identical: {(same ? "[green]yes[/]" : "[red]NO[/]")}"));
        return same ? 0 : 1;
    }

    /// <summary>A population like the demo's: skewed recency, 0-90 active days, spend with many zeros.</summary>
    private static void WriteSyntheticInput(string path, int users)
    {
        var rng = new Random(42);
        using var w = new StreamWriter(path);
        w.Write("user_id,recency_days,frequency,monetary\n");
        for (var i = 0; i < users; i++)
        {
            var id = "u" + i.ToString("D7", CultureInfo.InvariantCulture);
            if (rng.NextDouble() < 0.02)
            {
                w.Write(id + ",,0,0\n");
                continue;
            }

            var engagement = rng.NextDouble();
            var recency = (int)Math.Min(400, -Math.Log(1 - rng.NextDouble()) * (1 - engagement) * 40);
            var frequency = Math.Min(90, (int)(engagement * engagement * 90 * rng.NextDouble() * 1.5));
            var monetary = rng.NextDouble() < 0.45 + 0.4 * engagement ? Math.Round(Math.Exp(3 + 2 * engagement + rng.NextDouble()), 2) : 0;
            w.Write(string.Create(CultureInfo.InvariantCulture, $"{id},{recency},{frequency},{monetary:0.00}\n"));
        }
    }
}

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
            var t = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(part.Chunk(400), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (chunk, ct) =>
                await queue.SendMessageAsync(ActivityJson.Serialize(chunk), ct));
            var enqueueSeconds = Stopwatch.GetElapsedTime(t).TotalSeconds;
            var before = counter.Total;
            t = Stopwatch.GetTimestamp();
            var pumped = await engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, cancellationToken);
            var seconds = Stopwatch.GetElapsedTime(t).TotalSeconds;
            var requests = counter.Total - before;
            dead += pumped.DeadLettered;
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {part.Count:N0} events in {pumped.Handled:N0} messages (enqueued in {enqueueSeconds:F1} s); drained in {seconds:F1} s = [bold]{part.Count / seconds:N0} events/s[/]; {requests:N0} storage requests ({requests * 1000.0 / part.Count:F0} per 1,000 events); {pumped.DeadLettered} dead-lettered"));
        }

        return dead == 0 ? 0 : 1;
    }
}
