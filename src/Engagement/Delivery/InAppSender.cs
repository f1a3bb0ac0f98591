namespace Engagement.Delivery;

/// <summary>
/// In-app messages: one <see cref="Inbox"/> row per user and campaign occurrence, read by the app through the
/// engine and by <c>engage inbox</c>. The row's key makes the write idempotent: a second attempt finds the row.
/// </summary>
public sealed class InAppSender(Inbox inbox, TimeProvider time) : IChannelSender
{
    public string Channel => Channels.InApp;

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var row = new InboxRow(message.UserId, message.CampaignId, message.Occurrence, message.Title, message.Body, message.DeliveryId, time.GetUtcNow(), message.ExpiresAt);
        return new SendResult(SendStatus.Accepted, ProviderId: await inbox.AddAsync(row, cancellationToken));
    }
}
