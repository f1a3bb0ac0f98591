using System.ComponentModel;
using System.Globalization;
using Engagement.Content;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class ContentPreviewSettings : CommandSettings
{
    [CommandArgument(0, "<USER_ID>")]
    [Description("The user whose weekly item to show.")]
    public string UserId { get; init; } = "";
}

/// <summary>The item the weekly run would pick for a user now, the basis and the reason, the repeats it excluded: nothing written.</summary>
internal sealed class ContentPreviewCommand : AsyncCommand<ContentPreviewSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ContentPreviewSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        if (await engine.Get<ContentPreview>().PreviewAsync(settings.UserId, cancellationToken) is not { } p)
        {
            AnsiConsole.MarkupLine($"[red]no user '{Markup.Escape(settings.UserId)}'[/]");
            return 1;
        }

        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(p.UserId)}[/], tier {Markup.Escape(p.Tier ?? "(none yet)")}");
        AnsiConsole.MarkupLine(p.Profile.Count == 0
            ? "interests: none yet"
            : "interests (now, heaviest first): " + Markup.Escape(string.Join(", ", p.Profile.Categories.Zip(p.Profile.Weights, (c, w) => string.Create(CultureInfo.InvariantCulture, $"{c} {w:0.##}")))));
        AnsiConsole.MarkupLine(p.Excluded.Count == 0
            ? "excluded as repeats: none"
            : "excluded as repeats (sent within the window): " + Markup.Escape(string.Join(", ", p.Excluded.Select(s => $"{s.ItemId} ({s.SentAt:yyyy-MM-dd})"))));
        AnsiConsole.MarkupLine(p.Pick.ItemId is { } item
            ? $"pick now: [green]{Markup.Escape(item)}[/] ({p.Pick.Basis.ToString().ToLowerInvariant()}): {Markup.Escape(p.Pick.Reason)}"
            : $"pick now: [yellow]none[/]: {Markup.Escape(p.Pick.Reason)}");
        if (p.HeldOut)
        {
            AnsiConsole.MarkupLine($"[yellow]held out of {Markup.Escape(p.RunId)}[/]: recorded with this pick, sent nothing");
        }

        if (p.Recorded is { } r)
        {
            var what = r.ItemId is null ? "nothing to pick" : r.HeldOut ? $"{r.ItemId}, held out" : $"{r.ItemId} in {r.CampaignId}";
            AnsiConsole.MarkupLine($"{Markup.Escape(p.RunId)} recorded: {Markup.Escape(what)} ({Markup.Escape(r.Reason)})");
        }
        else if (p.Tier != engine.Get<Microsoft.Extensions.Options.IOptions<ContentWeeklyOptions>>().Value.Tier)
        {
            AnsiConsole.MarkupLine("[grey]not in the weekly run's tier: the run sends this user nothing[/]");
        }

        return 0;
    }
}
