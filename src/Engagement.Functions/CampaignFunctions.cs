using Azure.Storage.Queues.Models;
using Engagement.Messaging;
using Engagement.Storage;
using Microsoft.Azure.Functions.Worker;

namespace Engagement.Functions;

public sealed class CampaignFunctions(QueueHandlers handlers)
{
    /// <summary>Marketing's campaign triggers (docs/contracts.md); base64 or plain text.</summary>
    [Function(nameof(CampaignTrigger))]
    public Task CampaignTrigger([QueueTrigger(QueueNames.CampaignTriggers)] QueueMessage message, CancellationToken cancellationToken) =>
        handlers.HandleAsync(new QueueEnvelope(QueueNames.CampaignTriggers, message.MessageId, message.Body.ToString(), message.DequeueCount), cancellationToken);
}
