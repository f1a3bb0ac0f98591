using Engagement.Callbacks;
using Engagement.Local.Fakes;
using Engagement.Storage;

namespace Engagement.Local;

/// <summary>What a batch of webhook requests did: answered 200, refused, handled off the queue, dead-lettered.</summary>
public sealed record WebhookRun(int Received, int Refused, long Handled, long DeadLettered);

/// <summary>
/// Delivers Twilio webhook requests (from the fake) to the engine's webhook handler, as the
/// TwilioStatus / TwilioInbound functions would, and works the provider-callbacks queue between
/// batches: in Azure the queue trigger drains it as requests arrive, so it stays short (and
/// Azurite's queue operations slow down with the queue's length).
/// </summary>
public static class LocalWebhooks
{
    public static async Task<WebhookRun> DeliverAsync(LocalEngine engine, string kind, IEnumerable<TwilioFakeCallback> requests, CancellationToken cancellationToken, IProgress<int>? progress = null)
    {
        var webhooks = engine.Get<TwilioWebhooks>();
        int received = 0, refused = 0;
        long handled = 0, deadLettered = 0;
        foreach (var batch in requests.Chunk(500))
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (r, ct) =>
            {
                var answer = await webhooks.ReceiveAsync(kind, r.Url, r.Signature, r.FormBody, ct);
                Interlocked.Increment(ref answer.Status == 200 ? ref received : ref refused);
            });
            var pumped = await engine.Pump().DrainAsync(QueueNames.ProviderCallbacks, null, cancellationToken);
            handled += pumped.Handled;
            deadLettered += pumped.DeadLettered;
            progress?.Report(received + refused);
        }

        return new WebhookRun(received, refused, handled, deadLettered);
    }
}
