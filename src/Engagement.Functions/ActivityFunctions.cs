using Azure.Storage.Queues.Models;
using Engagement.Messaging;
using Engagement.Storage;
using Microsoft.Azure.Functions.Worker;

namespace Engagement.Functions;

public sealed class ActivityFunctions(QueueHandlers handlers)
{
    /// <summary>One event or a JSON array of events per message; base64 or plain text (host.json messageEncoding "none").</summary>
    [Function(nameof(IngestActivity))]
    public Task IngestActivity([QueueTrigger(QueueNames.ActivityEvents)] QueueMessage message, CancellationToken cancellationToken) =>
        handlers.HandleAsync(new QueueEnvelope(QueueNames.ActivityEvents, message.MessageId, message.Body.ToString(), message.DequeueCount), cancellationToken);
}
