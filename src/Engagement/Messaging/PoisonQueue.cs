using Azure.Storage.Queues.Models;
using Engagement.Storage;

namespace Engagement.Messaging;

/// <summary>A message waiting on a poison queue; <see cref="Error"/> is the reason from the errors table when it could be matched.</summary>
public sealed record PoisonMessage(string MessageId, DateTimeOffset? InsertedOn, long DequeueCount, string Body, string? Error = null);

/// <summary>What a poison queue holds: its approximate length and the first (at most 32) messages.</summary>
public sealed record PoisonPeek(string Queue, string PoisonQueue, int ApproximateCount, IReadOnlyList<PoisonMessage> Messages);

/// <summary>
/// A replay's outcome. <see cref="Count"/> is how many moved back to <see cref="Queue"/>, or on a dry run how many
/// would (from the approximate length); <see cref="Messages"/> lists them (a dry run: at most 32, see <see cref="Note"/>).
/// </summary>
public sealed record PoisonReplay(string Queue, string PoisonQueue, bool DryRun, int Count, IReadOnlyList<PoisonMessage> Messages, string? Note);

/// <summary>
/// Lists and replays the <c>&lt;queue&gt;-poison</c> queues once the cause is fixed: each message goes back, body
/// unchanged, to the queue it came from.
/// </summary>
public sealed class PoisonQueue(StorageClients storage, ErrorStore errors)
{
    /// <summary>The most messages one peek or receive returns (a Queue Storage limit).</summary>
    public const int MaxBatch = 32;

    // Long enough to send and delete a batch of 32; if the process dies, what it held reappears on the poison queue.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    // Errors rows read (newest first) to explain listed messages: one request, bounded even with 30K-character copies.
    private const int ErrorRowsRead = 64;

    private static readonly string Suffix = QueueNames.Poison("");

    /// <summary>The engine queue and its poison queue for <paramref name="queue"/>, given as either name.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="QueueNames.All"/> (or its -poison queue).</exception>
    public static (string Queue, string PoisonQueue) Resolve(string queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var main = queue.EndsWith(Suffix, StringComparison.Ordinal) ? queue[..^Suffix.Length] : queue;
        if (!QueueNames.All.Contains(main, StringComparer.Ordinal))
        {
            throw new ArgumentException($"unknown queue '{queue}': valid queues are {string.Join(", ", QueueNames.All)} (or the same with {Suffix})");
        }

        return (main, QueueNames.Poison(main));
    }

    /// <summary>Looks without taking: peeked messages stay visible and their dequeue count is unchanged.</summary>
    public async Task<PoisonPeek> PeekAsync(string queue, int max = MaxBatch, CancellationToken cancellationToken = default)
    {
        var (main, poisonName) = Resolve(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var poison = await storage.QueueAsync(poisonName, cancellationToken);
        var count = (await poison.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        var peeked = (await poison.PeekMessagesAsync(Math.Min(max, MaxBatch), cancellationToken)).Value;
        var reasons = peeked.Length == 0 ? new Dictionary<string, string>() : await RecentErrorsAsync(main, cancellationToken);
        var messages = peeked.Select(m =>
        {
            var body = m.Body.ToString();
            return new PoisonMessage(m.MessageId, m.InsertedOn, m.DequeueCount, body, reasons.GetValueOrDefault(ErrorStore.BodyHash(body)));
        }).ToList();
        return new PoisonPeek(main, poisonName, count, messages);
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> messages from the poison queue back to their queue, in batches of 32, until
    /// the poison queue returns nothing. A dry run only peeks: nothing moves and nothing becomes invisible.
    /// </summary>
    public async Task<PoisonReplay> ReplayAsync(string queue, int max = int.MaxValue, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var (main, poisonName) = Resolve(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (dryRun)
        {
            var peek = await PeekAsync(queue, max, cancellationToken);
            return new PoisonReplay(main, poisonName, DryRun: true, Math.Min(max, peek.ApproximateCount), peek.Messages,
                $"dry run: nothing was moved; a dry run shows at most {MaxBatch} messages");
        }

        var target = await storage.QueueAsync(main, cancellationToken);
        var poison = await storage.QueueAsync(poisonName, cancellationToken);
        var moved = new List<PoisonMessage>();
        while (moved.Count < max)
        {
            var batch = (await poison.ReceiveMessagesAsync(Math.Min(MaxBatch, max - moved.Count), Lease, cancellationToken)).Value;
            if (batch.Length == 0)
            {
                break;
            }

            foreach (QueueMessage m in batch)
            {
                var body = m.Body.ToString();
                // Send first, then delete: a crash in between leaves a duplicate on the main queue (handlers are
                // idempotent, so it is a no-op), never a lost message.
                await target.SendMessageAsync(body, cancellationToken);
                await poison.DeleteMessageAsync(m.MessageId, m.PopReceipt, cancellationToken);
                moved.Add(new PoisonMessage(m.MessageId, m.InsertedOn, m.DequeueCount, body));
            }
        }

        return new PoisonReplay(main, poisonName, DryRun: false, moved.Count, moved, null);
    }

    /// <summary>
    /// Error per body hash from the newest errors rows of <paramref name="queue"/>. The poison copy gets a new message
    /// id and the row keeps only the first 30K characters, so the hash of the whole body is the key; the newest row wins.
    /// One page only: older rows rarely explain what is still waiting, and reading them all is not cheap.
    /// </summary>
    private async Task<Dictionary<string, string>> RecentErrorsAsync(string queue, CancellationToken cancellationToken)
    {
        var byHash = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var recorded in await errors.NewestAsync(queue, ErrorRowsRead, cancellationToken))
        {
            byHash.TryAdd(recorded.MessageHash, recorded.Error);
        }

        return byHash;
    }
}
