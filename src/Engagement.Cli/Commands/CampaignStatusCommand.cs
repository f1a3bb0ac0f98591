using Engagement.Campaigns;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>A campaign's state and its deliveries counted by channel, state and reason.</summary>
internal sealed class CampaignStatusCommand : AsyncCommand<CampaignStatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignStatusSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var campaign = await engine.Get<CampaignStore>().GetAsync(settings.CampaignId, cancellationToken);
        if (campaign is null)
        {
            AnsiConsole.MarkupLine($"[red]no campaign '{Markup.Escape(settings.CampaignId)}'[/] (was its trigger dead-lettered? see the errors table, PartitionKey {QueueNames.CampaignTriggers})");
            return 1;
        }

        AnsiConsole.MarkupLine($"campaign [bold]{Markup.Escape(campaign.CampaignId)}[/] ({Markup.Escape(campaign.Name)}): {campaign.State}{(campaign.DryRun ? ", dry run" : "")}, accepted {campaign.AcceptedAt:yyyy-MM-dd HH:mm:ss} UTC");
        var counts = await engine.Get<Delivery.DeliveryLedger>().CountAsync(campaign.CampaignId, engine.Get<UserShards>().All, cancellationToken);
        CliEnvironment.PrintDeliveryCounts(null, "state", counts);
        return 0;
    }
}
