using Microsoft.Extensions.Logging;

namespace Engagement.Campaigns;

/// <summary>
/// Handles one <c>campaign-triggers</c> message: validate (bad input is dead-lettered with its
/// error by the message policy), record the campaign once, then plan it: a ledger row per
/// recipient and channel before anything is sent. A duplicate of a planned campaign does nothing;
/// a redelivery after a crash mid-plan finishes the plan (planning only adds missing rows).
/// </summary>
public sealed partial class CampaignTriggerHandler(
    CampaignTriggerParser parser,
    CampaignStore campaigns,
    CampaignPlanner planner,
    IEnumerable<Delivery.IChannelSender> senders,
    ILogger<CampaignTriggerHandler> log)
{
    private readonly HashSet<string> _configured = senders.Select(s => s.Channel).ToHashSet(StringComparer.Ordinal);

    public async Task<CampaignAcceptance> HandleAsync(string body, CancellationToken cancellationToken)
    {
        // the campaign's trace: its delivery chunks carry this span's traceparent
        using var span = Telemetry.EngagementTelemetry.Source.StartActivity("campaign", System.Diagnostics.ActivityKind.Consumer);
        var trigger = parser.Parse(body);
        span?.SetTag("campaign.id", trigger.CampaignId);
        var missing = trigger.Channels.Select(c => c.Channel).Where(c => !_configured.Contains(c)).ToList();
        if (missing.Count > 0 && !trigger.DryRun)
        {
            // refused before anything is recorded, rather than planned and stuck
            throw new Messaging.MalformedMessageException($"campaign '{trigger.CampaignId}': no provider is configured for {string.Join(", ", missing)} (see the README's configuration table)");
        }

        var acceptance = await campaigns.AcceptAsync(trigger, body, cancellationToken);
        if (acceptance == CampaignAcceptance.Duplicate && (await campaigns.GetAsync(trigger.CampaignId, cancellationToken))?.State != CampaignStates.Accepted)
        {
            LogDuplicate(log, trigger.CampaignId);
            return acceptance;
        }

        LogAccepted(log, trigger.CampaignId, trigger.Channels.Count, trigger.DryRun);
        var plan = await planner.PlanAsync(trigger, cancellationToken);
        await campaigns.MarkPlannedAsync(trigger.CampaignId, plan, cancellationToken);
        LogPlanned(log, trigger.CampaignId, plan.Recipients, plan.Planned, plan.HeldOut, plan.Skipped);
        span?.SetTag("campaign.recipients", plan.Recipients);
        span?.SetTag("campaign.planned", plan.Planned);
        return acceptance;
    }

    [LoggerMessage(LogLevel.Information, "Campaign {CampaignId} planned: {Recipients} recipients, {Planned} deliveries planned, {HeldOut} held out, {Skipped} skipped")]
    private static partial void LogPlanned(ILogger logger, string campaignId, long recipients, long planned, long heldOut, long skipped);

    [LoggerMessage(LogLevel.Information, "Campaign {CampaignId} accepted ({Channels} channels, dry run {DryRun})")]
    private static partial void LogAccepted(ILogger logger, string campaignId, int channels, bool dryRun);

    [LoggerMessage(LogLevel.Information, "Campaign {CampaignId} was already accepted with the same definition; this trigger changes nothing")]
    private static partial void LogDuplicate(ILogger logger, string campaignId);
}
