namespace Engagement.Delivery;

/// <summary>The channels the pipeline delivers on.</summary>
public static class Channels
{
    public const string Sms = "sms";
    public const string Push = "push";
    public const string InApp = "inapp";

    public static readonly IReadOnlyList<string> All = [Sms, Push, InApp];
}

/// <summary>One channel of an order: its Liquid template, and a title for push and in-app.</summary>
public sealed record ChannelTemplate(string Channel, string Template, string? Title)
{
    /// <summary>Sent only to recipients no channel listed before it can reach (decided at planning: CampaignPlanner).</summary>
    public bool Fallback { get; init; }
}

/// <summary>
/// What the pipeline needs to deliver one campaign: what to send on which channel, when, until when,
/// and whether for real. Who receives it is already in the ledger. Campaigns (marketing triggers,
/// playbook runs) make orders; delivery never reads a campaign itself, so the arrows point one way.
/// </summary>
public sealed record DeliveryOrder(
    string CampaignId,
    string Name,
    IReadOnlyList<ChannelTemplate> Channels,
    DateTimeOffset? SendAt,
    DateTimeOffset? ExpiresAt,
    bool DryRun,
    IReadOnlyDictionary<string, string> Variables)
{
    /// <summary>Recipients hold coupons issued under the campaign id, which templates may show (<c>coupon_code</c>...).</summary>
    public bool IssuesCoupons { get; init; }

    /// <summary>Off: its messages neither count toward nor are held to the per-user cap (a programme's daily step).</summary>
    public bool FrequencyCap { get; init; } = true;
}

/// <summary>Where the worker finds the order of a campaign it has chunks of.</summary>
public interface IDeliveryOrders
{
    /// <exception cref="Messaging.MalformedMessageException">No such campaign: a chunk of it can never be delivered.</exception>
    ValueTask<DeliveryOrder> GetAsync(string campaignId, CancellationToken cancellationToken);

    /// <summary>Paused by an operator: its chunks wait unsent.</summary>
    Task<bool> IsPausedAsync(string campaignId, CancellationToken cancellationToken);
}
