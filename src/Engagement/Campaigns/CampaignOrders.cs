using System.Collections.Concurrent;
using Engagement.Delivery;
using Engagement.Messaging;

namespace Engagement.Campaigns;

/// <summary>
/// The delivery pipeline's view of accepted campaigns: each campaign's stored trigger read back once
/// per process (a trigger never changes after acceptance), and its pause flag read every time.
/// </summary>
public sealed class CampaignOrders(CampaignStore campaigns, CampaignTriggerParser parser) : IDeliveryOrders
{
    private readonly ConcurrentDictionary<string, DeliveryOrder> _orders = new(StringComparer.Ordinal);

    public async ValueTask<DeliveryOrder> GetAsync(string campaignId, CancellationToken cancellationToken)
    {
        if (_orders.TryGetValue(campaignId, out var cached))
        {
            return cached;
        }

        var record = await campaigns.GetAsync(campaignId, cancellationToken) ?? throw new MalformedMessageException($"unknown campaign '{campaignId}'");
        return _orders[campaignId] = parser.ParseAccepted(record.Trigger).ToOrder();
    }

    public Task<bool> IsPausedAsync(string campaignId, CancellationToken cancellationToken) => campaigns.IsPausedAsync(campaignId, cancellationToken);
}
