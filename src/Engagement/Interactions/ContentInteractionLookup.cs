using Engagement.Activity;
using Engagement.Content;
using Engagement.Delivery;
using Engagement.Storage;

namespace Engagement.Interactions;

/// <summary>
/// Content campaigns as the weekly run hands them off: campaign id <c>content-…</c>, one per item, the item's id in
/// the trigger's variables as <c>content_id</c>.
/// </summary>
public static class ContentCampaigns
{
    public const string Prefix = ContentTrigger.CampaignPrefix;

    public const string ContentIdVariable = ContentTrigger.ContentIdVariable;

    public static bool IsContent(string campaignId) => campaignId.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The item a content campaign delivers; null for another campaign, or one that names none.</summary>
    public static string? ContentIdOf(DeliveryOrder order) =>
        IsContent(order.CampaignId) && order.Variables.TryGetValue(ContentIdVariable, out var id) && id.Length > 0 ? id : null;
}

/// <summary>A content event with the catalogue item and the ledger row it names.</summary>
public sealed record ResolvedInteraction(ActivityEvent Event, ContentInteraction Content, ContentItem Item, DeliveryRow Delivery)
{
    public ContentInteractionSeen Seen => new(Event.UserId, Content.ContentId, Content.DeliveryId, Delivery.CampaignId, Item.Categories, Content.Action, Event.OccurredAt);
}

/// <summary>
/// Looks up what content events name: the item (must be in the catalogue), the delivery (must be in the ledger, be to
/// the event's user, and have been sent: not held out or skipped) and, for a content campaign, that it delivered this
/// item. Read only; the ingest check refuses a message with any problem, the counter uses the resolved rows.
/// </summary>
public sealed class ContentInteractionLookup(ContentStore content, DeliveryLedger ledger, IDeliveryOrders orders, UserShards shards)
{
    public async Task<(IReadOnlyList<ResolvedInteraction> Resolved, IReadOnlyList<string> Problems)> ResolveAsync(IEnumerable<ActivityEvent> events, CancellationToken cancellationToken)
    {
        var named = events.Where(e => e.Content is not null).Select(e => (Event: e, Content: e.Content!)).ToList();
        if (named.Count == 0)
        {
            return ([], []);
        }

        var items = await content.FindAsync(named.Select(n => n.Content.ContentId), cancellationToken);
        var deliveries = new Dictionary<string, DeliveryRow?>(StringComparer.Ordinal);
        foreach (var id in named.Select(n => n.Content.DeliveryId).Distinct(StringComparer.Ordinal))
        {
            deliveries[id] = await FindDeliveryAsync(id, cancellationToken);
        }

        var resolved = new List<ResolvedInteraction>();
        var problems = new List<string>();
        foreach (var (e, c) in named)
        {
            var before = problems.Count;
            var item = items.GetValueOrDefault(c.ContentId);
            if (item is null)
            {
                problems.Add($"event '{e.EventId}': contentId '{c.ContentId}' is not in the content catalogue");
            }

            var delivery = deliveries[c.DeliveryId];
            if (delivery is null)
            {
                problems.Add($"event '{e.EventId}': deliveryId '{c.DeliveryId}' is not a known delivery");
            }
            else if (!string.Equals(delivery.UserId, e.UserId, StringComparison.Ordinal))
            {
                problems.Add($"event '{e.EventId}': deliveryId '{c.DeliveryId}' is not a delivery to user '{e.UserId}'");
            }
            else if (delivery.State is DeliveryStates.HeldOut or DeliveryStates.Skipped)
            {
                problems.Add($"event '{e.EventId}': deliveryId '{c.DeliveryId}' was never sent ({delivery.State})");
            }
            else if (await DeliveredContentAsync(delivery.CampaignId, cancellationToken) is { } delivered && delivered != c.ContentId)
            {
                problems.Add($"event '{e.EventId}': deliveryId '{c.DeliveryId}' delivered content '{delivered}', not '{c.ContentId}'");
            }

            if (problems.Count == before)
            {
                resolved.Add(new ResolvedInteraction(e, c, item!, delivery!));
            }
        }

        return (resolved, problems);
    }

    /// <summary>The item a content campaign's order names; null for other campaigns (their messages may link to items too).</summary>
    public async Task<string?> DeliveredContentAsync(string campaignId, CancellationToken ct) =>
        ContentCampaigns.IsContent(campaignId) ? ContentCampaigns.ContentIdOf(await orders.GetAsync(campaignId, ct)) : null;

    /// <summary>
    /// The ledger row of a delivery id from outside. The shard part picks the table, so it must be one of ours: an
    /// unknown one is an unknown delivery, never a read (or the creation) of some other table.
    /// </summary>
    private async Task<DeliveryRow?> FindDeliveryAsync(string deliveryId, CancellationToken ct) =>
        DeliveryKey.TryParseId(deliveryId, out var partition, out var row) && shards.All.Contains(DeliveryKey.ShardOf(partition), StringComparer.Ordinal)
            ? await ledger.FindAsync(partition, row, ct)
            : null;
}
