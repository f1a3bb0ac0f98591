using System.Globalization;
using Engagement.Messaging;
using Engagement.Playbooks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>A run's preview on the configured storage: audience, holdout, each channel's send/skip/defer with reasons, and the SMS bill. Nothing sent or recorded.</summary>
internal sealed class PlaybookPreviewCommand : AsyncCommand<PlaybookPreviewSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PlaybookPreviewSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        IReadOnlyList<PlaybookPreview> previews;
        try
        {
            previews = await engine.Get<PlaybookRuns>().PreviewAsync(settings.Name, settings.Period, settings.Samples, cancellationToken);
        }
        catch (Exception ex) when (ex is UnknownPlaybookException or FormatException or MalformedMessageException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 1;
        }

        // a run of level bands is one campaign per band: each previewed on its own
        foreach (var preview in previews)
        {
            Print(preview);
        }

        AnsiConsole.MarkupLine("[grey]Nothing was sent and nothing was recorded.[/]");
        return 0;
    }

    private static void Print(PlaybookPreview preview)
    {
        var run = preview.Run;
        var levels = preview.Levels.Length > 0 ? $" ({preview.Levels})" : "";
        AnsiConsole.MarkupLine($"run [bold]{Markup.Escape(preview.Trigger.CampaignId)}[/]{Markup.Escape(levels)}: audience {Markup.Escape(string.Join(", ", preview.Trigger.Audience.Tiers))}, holdout {preview.Trigger.HoldoutPercent}% (by user and playbook), sends from {run.At:yyyy-MM-dd HH:mm}Z until {preview.Trigger.ExpiresAt:yyyy-MM-dd HH:mm}Z");
        CliEnvironment.PrintDeliveryCounts("What would happen", "outcome", preview.Preview.Counts);
        var samples = new Table().Title("Examples").AddColumn("user").AddColumn("channel").AddColumn("outcome").AddColumn("text or reason");
        foreach (var row in preview.Preview.Samples)
        {
            samples.AddRow(Markup.Escape(row.UserId), Markup.Escape(row.Channel), Markup.Escape(row.Outcome), Markup.Escape(row.Text ?? row.Reason ?? ""));
        }

        AnsiConsole.Write(samples);
        var bill = preview.Bill;
        if (bill.Messages > 0)
        {
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"SMS: {bill.Messages:N0} messages, up to {bill.Segments:N0} segments x {bill.PricePerSegment} {bill.Currency} = [bold]{bill.Total:N2} {bill.Currency}[/]"));
        }
    }
}
