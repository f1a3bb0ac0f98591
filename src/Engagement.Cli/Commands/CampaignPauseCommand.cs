using Engagement.Campaigns;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>Stops a campaign's sends at the next chunk (nothing is lost: its chunks wait on the queue) or lets them go again.</summary>
internal abstract class CampaignPauseCommandBase(bool paused) : AsyncCommand<CampaignStatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignStatusSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        if (!await engine.Get<CampaignStore>().SetPausedAsync(settings.CampaignId, paused, cancellationToken))
        {
            AnsiConsole.MarkupLine($"[red]no campaign '{Markup.Escape(settings.CampaignId)}'[/]");
            return 1;
        }

        AnsiConsole.MarkupLine(paused
            ? $"campaign [bold]{Markup.Escape(settings.CampaignId)}[/] paused: each worker stops at its next chunk (at most {engine.Get<Microsoft.Extensions.Options.IOptions<Delivery.DeliveryOptions>>().Value.ChunkSize} recipients already in hand finish); chunks wait on {QueueNames.Deliveries}"
            : $"campaign [bold]{Markup.Escape(settings.CampaignId)}[/] unpaused: its chunks go out as they come back (within Delivery__NotSentRetryDelay); locally, run [bold]engage drain[/]");
        return 0;
    }
}

internal sealed class CampaignPauseCommand() : CampaignPauseCommandBase(paused: true);

internal sealed class CampaignUnpauseCommand() : CampaignPauseCommandBase(paused: false);
