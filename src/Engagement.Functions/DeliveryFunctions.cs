using Azure.Storage.Queues.Models;
using Engagement.Messaging;
using Engagement.Storage;
using Microsoft.Azure.Functions.Worker;

namespace Engagement.Functions;

public sealed class DeliveryFunctions(QueueHandlers handlers)
{
    /// <summary>One chunk of a campaign's recipients (internal; written by the campaign planner).</summary>
    [Function(nameof(Deliver))]
    public Task Deliver([QueueTrigger(QueueNames.Deliveries)] QueueMessage message, CancellationToken cancellationToken) =>
        handlers.HandleAsync(new QueueEnvelope(QueueNames.Deliveries, message.MessageId, message.Body.ToString(), message.DequeueCount), cancellationToken);
}
