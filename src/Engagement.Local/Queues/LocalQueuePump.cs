using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
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
    /// The clock for the idle give-up, the wait between empty polls and when this pump's retries are
    /// due (a test may pass a fake one and advance it; the queue's visibility stays on Azurite's clock).
    /// </summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long to wait before polling again when nothing is visible.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Handles messages until the queue is empty. With <paramref name="idleWhenOnlyDelayed"/>, also
    /// stops once nothing has been visible for that long and every retry this pump scheduled has come
    /// due and been polled for: what is left waits on purpose (a campaign's sendAt, quiet hours) and is
    /// reported as remaining. <see cref="TimeSpan.Zero"/> stops at the first such empty poll.
    /// </summary>
    public async Task<PumpProgress> DrainAsync(string queueName, IProgress<PumpProgress>? progress, CancellationToken cancellationToken, TimeSpan? idleWhenOnlyDelayed = null)
    {
        var queue = await storage.QueueAsync(queueName, cancellationToken);
        var tally = new Tally { RetriesDue = Time.GetTimestamp() };
        var lastActivity = Time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var polledAt = Time.GetTimestamp();
            var batch = (await queue.ReceiveMessagesAsync(32, Visibility, cancellationToken)).Value;
            if (batch.Length == 0)
            {
                var remaining = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
                progress?.Report(tally.Progress(remaining));
                if (remaining == 0)
                {
                    return tally.Progress(0);
                }

                // an empty poll that started after our own retries were due: none of them is among the rest
                if (idleWhenOnlyDelayed is { } idle && polledAt >= Interlocked.Read(ref tally.RetriesDue) && Time.GetElapsedTime(lastActivity, polledAt) >= idle)
                {
                    return tally.Progress(remaining);
                }

                await Task.Delay(PollInterval, Time, cancellationToken); // failed or delayed messages are still invisible
                continue;
            }

            var settled = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            try
            {
                await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (m, ct) =>
                {
                    await HandleAsync(queue, queueName, m, tally, ct);
                    settled[m.MessageId] = true;
                });
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await ReleaseAsync(queue, batch.Where(m => !settled.ContainsKey(m.MessageId)));
                throw;
            }

            lastActivity = Time.GetTimestamp();
            progress?.Report(tally.Progress(-1));
        }
    }

    /// <summary>
    /// Handles <paramref name="queueName"/> while <paramref name="producer"/> runs (as the host runs a queue's trigger while
    /// another function fills it), then drains what is left as <see cref="DrainAsync"/> does. The producer's failure is thrown.
    /// </summary>
    public async Task<PumpProgress> DrainAlongsideAsync(string queueName, Task producer, CancellationToken cancellationToken, TimeSpan? idleWhenOnlyDelayed = null)
    {
        while (!producer.IsCompleted)
        {
            await DrainAsync(queueName, null, cancellationToken, TimeSpan.Zero);
            await Task.WhenAny(producer, Task.Delay(PollInterval, Time, cancellationToken));
        }

        await producer;
        return await DrainAsync(queueName, null, cancellationToken, idleWhenOnlyDelayed);
    }

    private async Task HandleAsync(QueueClient queue, string queueName, QueueMessage m, Tally tally, CancellationToken ct)
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
            Interlocked.Increment(ref tally.Failed);
            await GoneIsFineAsync(queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: RetryDelay, cancellationToken: ct));
            var due = Time.GetTimestamp() + (long)(RetryDelay.TotalSeconds * Time.TimestampFrequency);
            for (var seen = Interlocked.Read(ref tally.RetriesDue); due > seen; seen = Interlocked.Read(ref tally.RetriesDue))
            {
                Interlocked.CompareExchange(ref tally.RetriesDue, due, seen);
            }

            return;
        }

        await GoneIsFineAsync(queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct));
        Interlocked.Increment(ref outcome == MessageOutcome.Handled ? ref tally.Handled : ref tally.Dead);
    }

    /// <summary>
    /// Stopped mid-batch (Ctrl-C): the messages not finished are made visible again, so the next run
    /// takes them at once instead of after <see cref="Visibility"/>. Handlers are idempotent, so a
    /// message cut half-way is safe to redo. Best effort, briefly: a message not released comes back anyway.
    /// </summary>
    private async Task ReleaseAsync(QueueClient queue, IEnumerable<QueueMessage> unfinished)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), Time);
        try
        {
            await Task.WhenAll(unfinished.Select(m => GoneIsFineAsync(queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: timeout.Token))));
        }
        catch (Exception ex) when (ex is OperationCanceledException or Azure.RequestFailedException)
        {
            // storage gone or slow: the visibility timeout releases them
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

    private sealed class Tally
    {
        public long Handled;
        public long Dead;
        public long Failed;

        /// <summary>Timestamp (of <see cref="Time"/>) when the last message this pump put back becomes visible again.</summary>
        public long RetriesDue;

        public PumpProgress Progress(int remaining) => new(Interlocked.Read(ref Handled), Interlocked.Read(ref Dead), Interlocked.Read(ref Failed), remaining);
    }
}
