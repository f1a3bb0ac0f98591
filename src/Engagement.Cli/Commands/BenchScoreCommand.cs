using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Engagement.Segmentation;
using Engagement.Users;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>
/// Scoring a file of N users as a user would time it: the whole `engage score` process (start-up,
/// read, score, write, exit) against the whole pandas script process on the same file, the same
/// number of runs, alternating so load hits both alike; medians of each, plus the inner phase times.
/// </summary>
internal sealed class BenchScoreCommand : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        var users = settings.Users ?? 1_000_000;
        var runs = Math.Max(1, settings.Runs);
        var dir = Directory.CreateTempSubdirectory("engage-bench-").FullName;
        var input = Path.Combine(dir, "rfm.csv");
        WriteSyntheticInput(input, users);
        AnsiConsole.MarkupLine($"Input: {users:N0} users in {Markup.Escape(input)} ({new FileInfo(input).Length / 1e6:F1} MB); {runs} runs of each after one warm-up; {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB");

        var engageOut = Path.Combine(dir, "scores.csv");
        var engage = EngageScore(input, engageOut);
        var pandasOut = Path.Combine(dir, "scores-pandas.csv");
        var pandas = PandasScore(input, pandasOut, out var pandasSkipped);

        var engageRuns = new List<Run>();
        var pandasRuns = new List<Run>();
        for (var i = -1; i < runs; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var e = Measure(engage);
            var p = pandas is null ? null : Measure(pandas);
            if (i >= 0) // run -1 warms the file cache, the JIT's disk cache and Python's bytecode for both
            {
                engageRuns.Add(e);
                if (p is not null)
                {
                    pandasRuns.Add(p);
                }
            }
        }

        var table = new Table().AddColumns("", "whole process (median)", "read", "score", "write", "inner total", "peak memory");
        table.AddRow(Row("engage score", engageRuns));
        if (pandas is null)
        {
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"[yellow]pandas comparison skipped: {Markup.Escape(pandasSkipped!)}[/]");
            return 0;
        }

        table.AddRow(Row("pandas script", pandasRuns));
        table.AddRow(
            "ratio pandas / engage",
            Ratio(pandasRuns, engageRuns, r => r.Wall),
            Ratio(pandasRuns, engageRuns, r => r.Stats["read"]),
            Ratio(pandasRuns, engageRuns, r => r.Stats["score"]),
            Ratio(pandasRuns, engageRuns, r => r.Stats["write"]),
            Ratio(pandasRuns, engageRuns, r => r.Stats["total"]),
            "");
        AnsiConsole.Write(table);
        var same = File.ReadLines(engageOut).SequenceEqual(File.ReadLines(pandasOut));
        AnsiConsole.MarkupLine($"outputs identical: {(same ? "[green]yes[/]" : "[red]NO[/]")}");
        return same ? 0 : 1;
    }

    private sealed record Run(double Wall, Dictionary<string, double> Stats);

    private static string[] Row(string label, List<Run> runs) =>
    [
        label,
        Seconds(Median(runs, r => r.Wall)),
        Seconds(Median(runs, r => r.Stats["read"])),
        Seconds(Median(runs, r => r.Stats["score"])),
        Seconds(Median(runs, r => r.Stats["write"])),
        Seconds(Median(runs, r => r.Stats["total"])),
        runs.All(r => r.Stats.ContainsKey("peak_bytes")) ? string.Create(CultureInfo.InvariantCulture, $"{Median(runs, r => r.Stats["peak_bytes"]) / 1e6:F0} MB") : "—",
    ];

    private static string Ratio(List<Run> a, List<Run> b, Func<Run, double> of) =>
        string.Create(CultureInfo.InvariantCulture, $"{Median(a, of) / Median(b, of):F1}x");

    private static string Seconds(double s) => string.Create(CultureInfo.InvariantCulture, $"{s:F3} s");

    private static double Median(List<Run> runs, Func<Run, double> of)
    {
        var values = runs.Select(of).Order().ToArray();
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }

    /// <summary>Wall time from process start to exit (its output file written), and the JSON line it prints.</summary>
    private static Run Measure(ProcessStartInfo start)
    {
        var t = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var wall = Stopwatch.GetElapsedTime(t).TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} exited {process.ExitCode}: {stderr.Result.Split('\n').LastOrDefault(l => l.Length > 0)}");
        }

        var line = stdout.Result.Split('\n').Last(l => l.TrimStart().StartsWith('{'));
        return new Run(wall, JsonSerializer.Deserialize<Dictionary<string, double>>(line)!);
    }

    /// <summary>This same engage (apphost, or `dotnet engage.dll`), as a fresh process.</summary>
    private static ProcessStartInfo EngageScore(string input, string output)
    {
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var a in new[] { "score", input, output, "--stats" })
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    private static ProcessStartInfo? PandasScore(string input, string output, out string? skipped)
    {
        skipped = null;
        var rules = (CliEnvironment.Configuration().GetSection(SegmentationOptions.SectionName).Get<SegmentationOptions>() ?? new SegmentationOptions()).Rules;
        if (rules.Any(r => r.MinR > 1 || r.MinF > 1 || r.MinM > 1))
        {
            skipped = "its script implements total-score rules only";
            return null;
        }

        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        using (var probe = Process.Start(new ProcessStartInfo(python, ["-c", "import pandas"]) { RedirectStandardError = true })!)
        {
            probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            if (probe.ExitCode != 0)
            {
                skipped = "python3 cannot import pandas; install Debian's python3-pandas to run it";
                return null;
            }
        }

        var classifier = ScoreCommand.Classifier();
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Bench", "pandas_rfm.py"), input, output, classifier.Classify(RfmValues.NoHistory, RfmScores.None, null, default) }
            .Concat(rules.Select(r => r.Tier + "=" + r.MinTotal.ToString(CultureInfo.InvariantCulture))))
        {
            start.ArgumentList.Add(a);
        }

        return start;
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
