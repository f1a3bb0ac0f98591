using System.ComponentModel;
using System.Globalization;
using Engagement.Activity;
using Engagement.Content;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class ContentListSettings : CommandSettings
{
    [CommandOption("--active")]
    [Description("Only the items whose window holds now (those the weekly pick may choose).")]
    public bool Active { get; init; }
}

/// <summary>The catalogue by id: title, categories, language, window (ops zone) and priority; items outside their window greyed.</summary>
internal sealed class ContentListCommand : AsyncCommand<ContentListSettings>
{
    private const int TitleWidth = 40;

    public override async Task<int> ExecuteAsync(CommandContext context, ContentListSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var zone = engine.Get<ActivityCalendar>().Zone;
        var now = engine.Get<TimeProvider>().GetUtcNow();
        var store = engine.Get<ContentStore>();
        var items = settings.Active ? await store.ActiveAsync(now, cancellationToken) : await store.ListAsync(cancellationToken);
        var table = new Table().Title($"Content catalogue{(settings.Active ? ", active now" : "")} (windows in {Markup.Escape(zone.Id)})")
            .AddColumn("id").AddColumn("title").AddColumn("categories").AddColumn("language").AddColumn("window").AddColumn(new TableColumn("priority").RightAligned());
        foreach (var item in items)
        {
            var title = item.Title.Length > TitleWidth ? item.Title[..(TitleWidth - 1)] + "…" : item.Title;
            string[] cells = [item.Id, title, string.Join(", ", item.Categories), item.Language, Window(item, zone), item.Priority.ToString(CultureInfo.InvariantCulture)];
            var active = item.IsActiveAt(now);
            table.AddRow([.. cells.Select(c => active ? Markup.Escape(c) : $"[grey]{Markup.Escape(c)}[/]")]);
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{items.Count} items, {items.Count(i => i.IsActiveAt(now))} active now.");
        return 0;
    }

    private static string Window(ContentItem item, TimeZoneInfo zone)
    {
        static string At(DateTimeOffset t, TimeZoneInfo z) => TimeZoneInfo.ConvertTime(t, z).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return $"{At(item.ActiveFrom, zone)} → {(item.ActiveUntil is { } until ? At(until, zone) : "open")}";
    }
}
