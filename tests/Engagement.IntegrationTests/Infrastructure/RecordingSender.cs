using System.Collections.Concurrent;
using Engagement.Delivery;

namespace Engagement.IntegrationTests.Infrastructure;

/// <summary>A channel sender that records what it was asked to send and answers as told (for channels whose provider fake is not the subject).</summary>
public sealed class RecordingSender(string channel, Func<OutgoingMessage, SendResult>? answer = null, TimeSpan? latency = null) : IChannelSender
{
    public string Channel => channel;

    public ConcurrentQueue<OutgoingMessage> Sent { get; } = new();

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        Sent.Enqueue(message);
        if (latency is { } l)
        {
            await Task.Delay(l, cancellationToken); // a provider's round trip: concurrent workers overlap
        }

        return answer?.Invoke(message) ?? new SendResult(SendStatus.Accepted, ProviderId: "rec-" + Sent.Count);
    }
}
