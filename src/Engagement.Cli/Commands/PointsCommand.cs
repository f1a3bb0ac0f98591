using System.ComponentModel;
using System.Globalization;
using Engagement.Activity;
using Engagement.Points;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class PointsSettings : CommandSettings
{
    [CommandArgument(0, "<USER_ID>")]
    [Description("The user whose points to show.")]
    public string UserId { get; init; } = "";

    [CommandOption("--entries <N>")]
    [Description("How many of the latest ledger entries to list (default 10).")]
    public int Entries { get; init; } = 10;
}

/// <summary>A user's points: balance, level, lifetime, the batches and when they expire, the latest entries (times in the ops zone).</summary>
internal sealed class PointsCommand : AsyncCommand<PointsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PointsSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var zone = engine.Get<ActivityCalendar>().Zone;
        var store = engine.Get<PointsStore>();
        // writes the expiries due by now first, so the balance shown is the sum of the entries listed
        if (await store.ExpireDueAsync(settings.UserId, cancellationToken) is not { } account)
        {
            AnsiConsole.MarkupLine($"{Markup.Escape(settings.UserId)} has no points yet.");
            return 0;
        }

        AnsiConsole.MarkupLine($"Points of {Markup.Escape(settings.UserId)}: balance [bold]{account.Balance}[/], level [bold]{account.Level}[/], lifetime {account.Lifetime}");
        var batches = new Table().Title($"Batches (expiry in {Markup.Escape(zone.Id)})").AddColumn("earned on").AddColumn(new TableColumn("points").RightAligned()).AddColumn("expires at");
        foreach (var b in account.Batches)
        {
            batches.AddRow(Day(b.EarnedOn), b.Remaining.ToString(CultureInfo.InvariantCulture), Time(store.ExpiresAt(b), zone));
        }

        AnsiConsole.Write(batches);
        var entries = new Table().Title("Latest entries").AddColumn("at").AddColumn("kind").AddColumn("source").AddColumn(new TableColumn("points").RightAligned())
            .AddColumn(new TableColumn("balance").RightAligned()).AddColumn("batches");
        foreach (var e in (await store.EntriesAsync(settings.UserId, cancellationToken)).Take(Math.Max(0, settings.Entries)))
        {
            var batchesOf = e.Batch is { } day ? Day(day) : string.Join(", ", e.Draws.Select(d => $"{Day(d.EarnedOn)}: {d.Points}"));
            entries.AddRow(Time(e.At, zone), e.Kind, Markup.Escape(e.SourceKey), e.Delta.ToString("+0;-0;0", CultureInfo.InvariantCulture),
                e.BalanceAfter.ToString(CultureInfo.InvariantCulture), batchesOf);
        }

        AnsiConsole.Write(entries);
        return 0;
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset t, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
