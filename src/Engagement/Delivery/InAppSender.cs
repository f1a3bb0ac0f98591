using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Delivery;

/// <summary>
/// In-app messages: one <c>inbox</c> row per user and campaign occurrence (PartitionKey user id,
/// RowKey <c>{campaignId}|{occurrence}</c>), read by the app through the engine and by
/// <c>engage inbox</c>. The key makes the write idempotent: a second attempt finds the row.
/// </summary>
public sealed class InAppSender(StorageClients storage, TimeProvider time) : IChannelSender
{
    public string Channel => Campaigns.Channels.InApp;

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var inbox = await storage.TableAsync(TableNames.Inbox, cancellationToken);
        var row = new TableEntity(message.UserId, $"{message.CampaignId}|{message.Occurrence}")
        {
            ["Title"] = message.Title,
            ["Body"] = message.Body,
            ["DeliveryId"] = message.DeliveryId,
            ["CreatedAt"] = time.GetUtcNow(),
            ["ExpiresAt"] = message.ExpiresAt,
            ["Read"] = false,
        };
        try
        {
            await inbox.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // written by an earlier attempt whose result was lost: it is there, once
        }

        return new SendResult(SendStatus.Accepted, ProviderId: row.PartitionKey + "/" + row.RowKey);
    }
}
