using System.ComponentModel;
using Engagement.Campaigns;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class CampaignPreviewSettings : CampaignFileSettings
{
    [CommandOption("--samples <N>")]
    [Description("Recipients shown per channel and outcome.")]
    public int Samples { get; init; } = 3;
}

/// <summary>What a trigger would send, and per recipient why not, on the configured storage: no send, no ledger row.</summary>
internal sealed class CampaignPreviewCommand : AsyncCommand<CampaignPreviewSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignPreviewSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var trigger = CampaignValidateCommand.Check(engine.Get<CampaignTriggerParser>(), await File.ReadAllTextAsync(settings.File, cancellationToken));
        if (trigger is null)
        {
            return 1;
        }

        var preview = await engine.Get<CampaignPreview>().PreviewAsync(trigger, settings.Samples, cancellationToken);
        CliEnvironment.PrintDeliveryCounts("What would happen", "outcome", preview.Counts);
        var samples = new Table().Title("Examples").AddColumn("user").AddColumn("channel").AddColumn("outcome").AddColumn("text or reason");
        foreach (var row in preview.Samples)
        {
            samples.AddRow(Markup.Escape(row.UserId), Markup.Escape(row.Channel), Markup.Escape(row.Outcome), Markup.Escape(row.Text ?? row.Reason ?? ""));
        }

        AnsiConsole.Write(samples);
        AnsiConsole.MarkupLine("[grey]Nothing was sent and nothing was recorded.[/]");
        return 0;
    }
}
