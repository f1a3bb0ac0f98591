using Engagement.Campaigns;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>Validates a trigger file the way the queue handler will, without enqueueing it.</summary>
internal sealed class CampaignValidateCommand : AsyncCommand<CampaignFileSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignFileSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartScratchAsync(cancellationToken);
        return Check(engine.Get<CampaignTriggerParser>(), await File.ReadAllTextAsync(settings.File, cancellationToken)) is null ? 1 : 0;
    }

    /// <summary>Prints the verdict; returns the trigger when valid.</summary>
    public static CampaignTrigger? Check(CampaignTriggerParser parser, string body)
    {
        try
        {
            var trigger = parser.Parse(body);
            AnsiConsole.MarkupLine($"[green]valid[/]: campaign [bold]{Markup.Escape(trigger.CampaignId)}[/] ({Markup.Escape(trigger.Name)}), channels {string.Join(", ", trigger.Channels.Select(c => c.Channel))}{(trigger.DryRun ? ", dry run" : "")}");
            return trigger;
        }
        catch (MalformedMessageException ex)
        {
            AnsiConsole.MarkupLine("[red]invalid[/]:");
            foreach (var error in ex.Message.Split("; "))
            {
                AnsiConsole.MarkupLine("  - " + Markup.Escape(error));
            }

            return null;
        }
    }
}
