using Engagement.Local;
using Engagement.Segmentation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Engagement.Cli.Commands;

/// <summary>
/// Where CLI commands get settings and storage: environment variables (Storage__ConnectionString,
/// Segmentation__FrequencyWindowDays, ...) and an optional engage.json in the working directory.
/// With no storage configured, commands use a local Azurite whose data persists in
/// $ENGAGE_HOME/azurite (default ~/.engage/azurite), so import, nightly and tiers see the same data.
/// </summary>
internal static class CliEnvironment
{
    public static IConfiguration Configuration() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(Environment.CurrentDirectory, "engage.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();

    public static string LocalDataDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("ENGAGE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".engage"), "azurite");

    /// <summary>The engine for a working command: configured storage, else the persistent local Azurite.</summary>
    public static async Task<LocalEngine> StartAsync(CancellationToken ct)
    {
        var engine = await LocalEngine.StartAsync(Configuration(), azuriteDirectory: LocalDataDirectory, cancellationToken: ct);
        if (engine.Azurite is not null)
        {
            AnsiConsole.MarkupLine($"[grey]No storage configured: using local Azurite with data in {Markup.Escape(LocalDataDirectory)}[/]");
        }

        return engine;
    }

    /// <summary>A throw-away engine on a fresh in-memory Azurite (demo, benchmarks).</summary>
    public static Task<LocalEngine> StartScratchAsync(CancellationToken ct, IConfiguration? configuration = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configureServices = null) =>
        LocalEngine.StartAsync(configuration ?? Configuration(), azuriteDirectory: null, forceLocal: true, logLevel: LogLevel.Error, configureServices: configureServices, cancellationToken: ct);

    public static void PrintTiers(NightlyRunSummary run, SegmentationOptions options)
    {
        var table = new Table().Title($"Tiers as of {run.AsOf:yyyy-MM-dd} (run {Markup.Escape(run.RunId)})")
            .AddColumn("tier").AddColumn(new TableColumn("users").RightAligned()).AddColumn(new TableColumn("share").RightAligned())
            .AddColumn(new TableColumn("target").RightAligned()).AddColumn(new TableColumn("gap").RightAligned());
        var total = Math.Max(1, run.TierCounts.Values.Sum());
        foreach (var rule in options.Rules)
        {
            var count = run.TierCounts.GetValueOrDefault(rule.Tier);
            var share = (double)count / total;
            var gap = rule.TargetShare is { } t ? (share - t) * 100 : (double?)null;
            table.AddRow(
                Markup.Escape(rule.Tier),
                count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                share.ToString("P1", System.Globalization.CultureInfo.InvariantCulture),
                rule.TargetShare?.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                gap is { } g ? (Math.Abs(g) <= 3 ? "[green]" : "[red]") + Math.Round(g, 1).ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture) + " pt[/]" : "-");
        }

        table.AddRow("[bold]total[/]", $"[bold]{total:N0}[/]", "", "", "");
        AnsiConsole.Write(table);
    }

    public static void PrintMovements(IReadOnlyDictionary<(string From, string To), long> moves, IReadOnlyList<string> tiers, string title)
    {
        var table = new Table().Title(title).AddColumn("from \\ to");
        foreach (var t in tiers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(t)).RightAligned());
        }

        foreach (var from in tiers.Prepend(""))
        {
            if (from == "" && !moves.Keys.Any(k => k.From == ""))
            {
                continue;
            }

            table.AddRow(new[] { from == "" ? "(new)" : Markup.Escape(from) }
                .Concat(tiers.Select(to => from == to ? "[grey]-[/]" : moves.GetValueOrDefault((from, to)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))
                .ToArray());
        }

        AnsiConsole.Write(table);
    }

    public static void PrintRun(NightlyRunSummary run)
    {
        var seconds = run.Duration?.TotalSeconds ?? double.NaN;
        var perThousand = run.Users == 0 ? 0 : run.StorageRequests * 1000.0 / run.Users;
        AnsiConsole.MarkupLine(
            $"Run [bold]{Markup.Escape(run.RunId)}[/]: {run.Users:N0} users ({run.ScoredUsers:N0} with history), {run.ChangedUsers:N0} written, " +
            $"{run.Transitions:N0} tier moves, {seconds:F1} s, {run.StorageRequests:N0} storage requests ({perThousand:F1} per 1,000 users)");
        if (run.Cutoffs is { } c)
        {
            AnsiConsole.MarkupLine($"[grey]cut-offs (score 2..5 from; - = unused)  R days {c.R.ToString()[5..]}  F active days {c.F.ToString()[4..]}  M cents {c.M.ToString()[4..]}[/]");
        }
    }

    /// <summary>Deliveries counted by channel, state (or preview outcome) and reason, in a stable order.</summary>
    public static void PrintDeliveryCounts(string? title, string stateColumn, IReadOnlyDictionary<(string Channel, string State, string Reason), long> counts)
    {
        var table = new Table().AddColumn("channel").AddColumn(stateColumn).AddColumn("reason").AddColumn(new TableColumn("deliveries").RightAligned());
        if (title is not null)
        {
            table.Title(title);
        }

        foreach (var ((channel, state, reason), count) in counts.OrderBy(c => c.Key.Channel, StringComparer.Ordinal).ThenBy(c => c.Key.State, StringComparer.Ordinal).ThenBy(c => c.Key.Reason, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(channel), Markup.Escape(state), Markup.Escape(reason), count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
    }
}
