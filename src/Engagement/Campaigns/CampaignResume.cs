using Engagement.Delivery;
using Engagement.Storage;
using Microsoft.Extensions.Options;

namespace Engagement.Campaigns;

/// <summary>
/// Picks a campaign up where it stopped (a provider outage, a pause, a killed worker): finishes
/// the plan if it never completed, then enqueues chunks for every recipient still <c>planned</c>
/// or <c>sending</c>. Safe to run any time: rows that went out are <c>accepted</c> and passed
/// over, a row still <c>sending</c> waits out its lease and becomes <c>unknown</c>, and an
/// <c>unknown</c> one is sent again only if the provider says it never got it (<see cref="UnknownDeliveries"/>).
/// Before the campaign's <c>sendAt</c> the chunks only wait: the worker puts them back until it (<see cref="SendSchedule"/>).
/// </summary>
public sealed class CampaignResume(
    StorageClients storage,
    DeliveryLedger ledger,
    UserShards shards,
    CampaignStore campaigns,
    CampaignTriggerParser parser,
    CampaignPlanner planner,
    UnknownDeliveries unknowns,
    IOptions<DeliveryOptions> options)
{
    public async Task<int> ResumeAsync(string campaignId, CancellationToken cancellationToken)
    {
        var campaign = await campaigns.GetAsync(campaignId, cancellationToken)
            ?? throw new InvalidOperationException($"no campaign '{campaignId}'");

        // part of the campaign's trace: the resumed chunks' spans join the original ones
        using var span = Telemetry.EngagementTelemetry.StartContinuing("campaign.resume", campaign.TraceParent);
        span?.SetTag("campaign.id", campaignId);

        // what is unknown is asked of the provider first: only what it never got is sent again
        await unknowns.ResolveAsync(campaignId, cancellationToken);
        if (campaign.State == CampaignStates.Accepted)
        {
            var plan = await planner.PlanAsync(parser.ParseAccepted(campaign.Trigger), cancellationToken);
            await campaigns.MarkPlannedAsync(campaignId, plan, cancellationToken);
        }

        var queue = await storage.QueueAsync(QueueNames.Deliveries, cancellationToken);
        var chunks = 0;
        foreach (var shard in shards.All)
        {
            var open = await ledger.OpenUserIdsAsync(campaignId, shard, cancellationToken);
            foreach (var chunk in open.Chunk(options.Value.ChunkSize))
            {
                await queue.SendMessageAsync(new DeliveryChunk(campaignId, shard, chunk[0], chunk[^1], TraceParent: Telemetry.EngagementTelemetry.CurrentTraceParent()).ToJson(), cancellationToken);
                chunks++;
            }
        }

        return chunks;
    }
}
