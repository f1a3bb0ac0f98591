using Engagement.Campaigns;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>Sends to the rest of a campaign cut short (outage, pause, killed worker), never again to those already sent.</summary>
internal sealed class CampaignResumeCommand : AsyncCommand<CampaignStatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignStatusSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var chunks = await engine.Get<CampaignResume>().ResumeAsync(settings.CampaignId, cancellationToken);
        AnsiConsole.MarkupLine($"{chunks:N0} chunk(s) of unsent recipients enqueued on {QueueNames.Deliveries}");
        var result = await engine.Pump().DrainAsync(QueueNames.Deliveries, null, cancellationToken, idleWhenOnlyDelayed: TimeSpan.FromSeconds(3));
        AnsiConsole.MarkupLine($"{result.Handled:N0} handled, {result.DeadLettered:N0} dead-lettered{(result.Remaining > 0 ? $", {result.Remaining:N0} waiting (quiet hours, a send lease or sendAt)" : "")}; see [bold]engage campaign status {Markup.Escape(settings.CampaignId)}[/]");
        return result.DeadLettered == 0 ? 0 : 1;
    }
}
