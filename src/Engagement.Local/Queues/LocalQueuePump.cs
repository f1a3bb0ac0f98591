using Engagement.Messaging;
using Engagement.Storage;

namespace Engagement.Local.Queues;

public sealed record PumpProgress(long Handled, long DeadLettered, long Failed, int Remaining);

/// <summary>
/// Runs a queue the way the Functions host would, on one machine: receive in batches of 32,
/// hand each message to <see cref="QueueHandlers"/>, delete it when handled or dead-lettered, and
/// leave it on the queue when the handler throws so it comes back (dequeue count + 1) after a
/// short visibility timeout. Stops when the queue is empty. For the CLI and the tests; Azure uses the host.
/// </summary>
public sealed class LocalQueuePump(StorageClients storage, QueueHandlers handlers)
{
    /// <summary>How long a failed message stays invisible before it is redelivered.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a received message stays invisible while it is being handled.</summary>
    public TimeSpan Visibility { get; init; } = TimeSpan.FromMinutes(2);

    public int Parallelism { get; init; } = 8;

    /// <summary>
    /// Handles messages until the queue is empty. With <paramref name="idleWhenOnlyDelayed"/>, also
    /// stops once nothing has been visible for that long and none of this pump's own retries is due:
    /// what is left waits on purpose (a campaign's sendAt, quiet hours) and is reported as remaining.
    /// </summary>
    public async Task<PumpProgress> DrainAsync(string queueName, IProgress<PumpProgress>? progress, CancellationToken cancellationToken, TimeSpan? idleWhenOnlyDelayed = null)
    {
        var queue = await storage.QueueAsync(queueName, cancellationToken);
        long handled = 0, dead = 0, failed = 0;
        var lastActivity = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = (await queue.ReceiveMessagesAsync(32, Visibility, cancellationToken)).Value;
            if (batch.Length == 0)
            {
                var remaining = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
                progress?.Report(new PumpProgress(handled, dead, failed, remaining));
                if (remaining == 0)
                {
                    return new PumpProgress(handled, dead, failed, 0);
                }

                if (idleWhenOnlyDelayed is { } idle && System.Diagnostics.Stopwatch.GetElapsedTime(lastActivity) > idle + RetryDelay)
                {
                    return new PumpProgress(handled, dead, failed, remaining);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken); // failed messages are still invisible
                continue;
            }

            lastActivity = System.Diagnostics.Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (m, ct) =>
            {
                var envelope = new QueueEnvelope(queueName, m.MessageId, m.Body.ToString(), m.DequeueCount);
                MessageOutcome outcome;
                try
                {
                    outcome = await handlers.HandleAsync(envelope, ct);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // the host would leave it for redelivery; so do we, sooner
                    Interlocked.Increment(ref failed);
                    await GoneIsFineAsync(queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: RetryDelay, cancellationToken: ct));
                    return;
                }

                await GoneIsFineAsync(queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct));
                Interlocked.Increment(ref outcome == MessageOutcome.Handled ? ref handled : ref dead);
            });
            lastActivity = System.Diagnostics.Stopwatch.GetTimestamp();
            progress?.Report(new PumpProgress(handled, dead, failed, -1));
        }
    }

    /// <summary>
    /// A 404 on delete or update means the message is gone already: under load the SDK can retry a
    /// delete that did succeed (the first attempt timed out), and the retry finds nothing. The handler's
    /// work is done and idempotent either way; it must not crash the pump.
    /// </summary>
    private static async Task GoneIsFineAsync<T>(Task<T> operation)
    {
        try
        {
            await operation;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }
}
