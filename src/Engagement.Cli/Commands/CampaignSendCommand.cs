using Engagement.Campaigns;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>Validates, then enqueues a trigger on campaign-triggers of the configured storage (local Azurite when none).</summary>
internal sealed class CampaignSendCommand : AsyncCommand<CampaignFileSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignFileSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var body = await File.ReadAllTextAsync(settings.File, cancellationToken);
        if (CampaignValidateCommand.Check(engine.Get<CampaignTriggerParser>(), body) is null)
        {
            return 1;
        }

        var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.CampaignTriggers, cancellationToken);
        var sent = await queue.SendMessageAsync(body, cancellationToken);
        AnsiConsole.MarkupLine($"enqueued on {QueueNames.CampaignTriggers} (message {Markup.Escape(sent.Value.MessageId)}); run [bold]engage drain[/] to process it on this machine");
        return 0;
    }
}
