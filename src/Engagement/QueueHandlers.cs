using Engagement.Activity;
using Engagement.Callbacks;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Ingest;
using Engagement.Messaging;
using Engagement.Segmentation;
using Engagement.Storage;

namespace Engagement;

/// <summary>
/// Which handler serves which queue, behind the shared message policy. The Functions triggers and
/// the CLI's local pump both come through here, so a message is treated the same either way.
/// </summary>
public sealed class QueueHandlers(QueueMessageProcessor processor, ActivityIngestHandler ingest, NightlyJob nightly, CampaignTriggerHandler campaigns, DeliveryWorker deliveries, ProviderCallbackHandler callbacks)
{
    public Task<MessageOutcome> HandleAsync(QueueEnvelope message, CancellationToken cancellationToken) =>
        message.Queue switch
        {
            QueueNames.ActivityEvents => processor.ProcessAsync(message, (m, body, ct) => ingest.HandleAsync(m, body, ct), cancellationToken),
            QueueNames.NightlyShards => processor.ProcessAsync(
                message, (m, body, ct) => nightly.HandleAsync(NightlyJob.ParseWork(body), redelivered: m.DequeueCount > 1, ct), cancellationToken),
            QueueNames.CampaignTriggers => processor.ProcessAsync(message, (_, body, ct) => campaigns.HandleAsync(body, ct), cancellationToken),
            QueueNames.Deliveries => processor.ProcessAsync(message, (_, body, ct) => deliveries.HandleAsync(DeliveryChunk.Parse(body), ct), cancellationToken),
            QueueNames.ProviderCallbacks => processor.ProcessAsync(message, (_, body, ct) => callbacks.HandleAsync(ProviderCallback.Parse(body), ct), cancellationToken),
            _ => throw new ArgumentException($"no handler for queue '{message.Queue}'", nameof(message)),
        };
}
