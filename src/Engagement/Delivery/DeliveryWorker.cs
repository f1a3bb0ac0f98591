using System.Collections.Concurrent;
using Azure.Data.Tables;
using Engagement.Messaging;
using Engagement.Storage;
using Engagement.Telemetry;
using Engagement.Users;
using Engagement.Wallet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Delivery;

/// <summary>What one chunk did; <paramref name="ComesBackAt"/>: when the chunk, put back on the queue, is seen again (null: not put back).</summary>
public sealed record ChunkResult(int Accepted, int Rejected, int Unknown, int Skipped, int Deferred, int NotSent, DateTimeOffset? ComesBackAt = null);

/// <summary>
/// Handles one <c>deliveries</c> message: load (the chunk's ledger rows, users and touch logs) → decide per row
/// (<see cref="DeliveryDecision"/>, pure) → save (every state change an ETag-conditional
/// <see cref="DeliveryLedger.TryMoveAsync"/>, so two workers never both send):
/// <list type="number">
/// <item>a chunk of a campaign not yet due (<see cref="SendSchedule"/>) goes back to the queue untouched;</item>
/// <item>a row left in <c>sending</c> by a crashed attempt is ambiguous: marked <c>unknown</c>, never resent;</item>
/// <item>a <c>planned</c> row runs the policies (<see cref="DeliveryPolicies"/>): skip (recorded with its reason), defer (stays planned; the chunk comes back when quiet hours end) or send;</item>
/// <item>send: claim <c>planned → sending</c>, record the touch on the user (<see cref="ChunkTouches"/>, re-checking the caps), render, hand to the channel's sender, record <c>accepted | failed | unknown</c>;
/// a provider that surely did not take it puts the row back to <c>planned</c> and the chunk is retried.</item>
/// </list>
/// </summary>
public sealed partial class DeliveryWorker(
    StorageClients storage,
    DeliveryLedger ledger,
    IDeliveryOrders orders,
    WalletStore wallet,
    DeliveryComposer composer,
    IEnumerable<IChannelSender> senders,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    EngagementTelemetry telemetry,
    UserEffects userEffects,
    ILogger<DeliveryWorker> log)
{
    private static readonly IReadOnlyList<string> UserColumns = DeliveryComposer.UserColumns;

    private readonly Dictionary<string, IChannelSender> _senders = senders.ToDictionary(s => s.Channel, StringComparer.Ordinal);
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<Coupon>> NoCoupons = new Dictionary<string, IReadOnlyList<Coupon>>();

    private readonly DeliveryPolicies _policies = new(options.Value);

    public async Task<ChunkResult> HandleAsync(DeliveryChunk chunk, CancellationToken cancellationToken)
    {
        using var span = EngagementTelemetry.StartContinuing("campaign.deliver", chunk.TraceParent);
        span?.SetTag("campaign.id", chunk.CampaignId);
        span?.SetTag("shard", chunk.Shard);
        var order = await orders.GetAsync(chunk.CampaignId, cancellationToken);
        if (SendSchedule.TimeUntilDue(order.SendAt, order.ExpiresAt, time.GetUtcNow()) is { } wait)
        {
            // early, whoever enqueued it (the planner's 7-day hop of a later sendAt, a resume, a poison replay,
            // a re-plan): back on the queue untouched, nothing read or claimed, for the rest of the wait
            LogNotDue(log, chunk.CampaignId, chunk.Shard, order.SendAt);
            span?.SetTag("campaign.send_at", order.SendAt);
            return new ChunkResult(0, 0, 0, 0, 0, 0, await PutBackAsync(chunk, SendSchedule.Hop(wait), cancellationToken));
        }

        if (!(order.ExpiresAt <= time.GetUtcNow()) && await orders.IsPausedAsync(chunk.CampaignId, cancellationToken))
        {
            // nothing sent, nothing claimed: the same chunk asks again later; once the campaign has expired it goes
            // through (the policies skip every row as expired), so a forgotten pause does not circulate for ever
            var back = await PutBackAsync(chunk, options.Value.NotSentRetryDelay, cancellationToken);
            LogPaused(log, chunk.CampaignId, chunk.Shard);
            span?.SetTag("campaign.paused", true);
            return new ChunkResult(0, 0, 0, 0, 0, 0, back);
        }

        var rows = await ledger.ChunkRowsAsync(chunk.CampaignId, chunk.Shard, order.Channels.Select(c => c.Channel), chunk.Occurrence, chunk.From, chunk.To, cancellationToken);
        var open = rows.Where(r => r.State is DeliveryStates.Planned or DeliveryStates.Sending).GroupBy(r => r.UserId, StringComparer.Ordinal).ToList();
        if (open.Count == 0)
        {
            return new ChunkResult(0, 0, 0, 0, 0, 0); // a replay of a finished chunk
        }

        // the chunk's own users by key (a listed audience's chunk spans many users who are not in it: a range read of
        // [from, to] would read them all)
        var usersTable = await storage.TableAsync(TableNames.Users, cancellationToken);
        var users = (await KeyedRowsReader.ReadAsync(usersTable, chunk.Shard, open.Select(g => g.Key), UserColumns, cancellationToken))
            .ToDictionary(u => u.RowKey, StringComparer.Ordinal);

        // the coupons the plan issued to these users, for templates that show them: one range query
        var coupons = order.IssuesCoupons
            ? await wallet.IssuedInRangeAsync(chunk.Shard, chunk.CampaignId, chunk.From, chunk.To, cancellationToken)
            : NoCoupons;

        // outcomes and touches of concurrent recipients share batch transactions; claims stay single writes
        await using var outcomes = await ledger.OpenBatchAsync(chunk.Shard, cancellationToken);
        // the chunk's touch logs live in the shard's own (small) table; an order outside the caps neither checks nor records
        // a touch, so it reads none
        await using var touches = await TouchLogs.OpenAsync(storage, chunk.Shard, order.FrequencyCap ? [.. open.Select(g => g.Key)] : [], users, cancellationToken);
        var writes = new Writes(outcomes, touches, coupons);
        var tally = new Tally();
        DateTimeOffset? retryAt = null;
        var gate = new object();
        await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = options.Value.SendParallelism, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            users.TryGetValue(group.Key, out var user);
            foreach (var row in group.OrderBy(r => r.Channel, StringComparer.Ordinal))
            {
                var deferUntil = await DeliverAsync(order, writes, row, user, tally, ct);
                if (deferUntil is { } until)
                {
                    lock (gate)
                    {
                        retryAt = retryAt is null || until < retryAt ? until : retryAt;
                    }
                }
            }
        });

        // quiet hours, a lease or a provider that did not take them: the same chunk comes back then
        var result = tally.ToResult(retryAt is { } at ? await PutBackAsync(chunk, SendSchedule.Hop(at - time.GetUtcNow()), cancellationToken) : null);

        LogChunk(log, chunk.CampaignId, chunk.Shard, chunk.From, chunk.To, result.Accepted, result.Skipped, result.Deferred, result.Unknown, result.Rejected);
        span?.SetTag("deliveries.accepted", result.Accepted);
        span?.SetTag("deliveries.skipped", result.Skipped);
        span?.SetTag("deliveries.deferred", result.Deferred);
        span?.SetTag("deliveries.unknown", result.Unknown);
        span?.SetTag("deliveries.rejected", result.Rejected);
        span?.SetTag("deliveries.not_sent", result.NotSent);
        return result;
    }

    /// <summary>One row: decide (<see cref="DeliveryDecision.Decide"/>), then claim, send and record; returns when the chunk should come back for it.</summary>
    private async Task<DateTimeOffset?> DeliverAsync(DeliveryOrder order, Writes writes, DeliveryRow row, TableEntity? user, Tally tally, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var verdict = user is not null && row.State == DeliveryStates.Planned ? _policies.Evaluate(row.Channel, composer.RecipientOf(user), order.ExpiresAt, now, order.FrequencyCap) : null;
        switch (DeliveryDecision.Decide(row, options.Value.SendLease, verdict, order.DryRun, now))
        {
            case DeliveryAction.Defer defer:
                Interlocked.Increment(ref tally.Deferred);
                return defer.Until;
            case DeliveryAction.MarkUnknown unknown:
                await MoveAsync(writes, row, DeliveryStates.Unknown, unknown.Reason, ct);
                Interlocked.Increment(ref tally.Unknown);
                return null;
            case DeliveryAction.Skip skip:
                await SkipAsync(writes, row, skip.Reason, tally, ct);
                return null;
            default:
                return await SendAsync(order, writes, row, user!, tally, now, ct);
        }
    }

    private async Task<DateTimeOffset?> SendAsync(DeliveryOrder order, Writes writes, DeliveryRow row, TableEntity user, Tally tally, DateTimeOffset now, CancellationToken ct)
    {
        var channel = row.Channel;
        if (!_senders.TryGetValue(channel, out var sender))
        {
            throw new InvalidOperationException($"no sender is configured for channel '{channel}'");
        }

        // 1. claim: from here on this row is ours for the lease, or someone else's (412) and we leave it;
        // the address and text go with it, so an ambiguous outcome can be looked up at the provider later
        var message = composer.Compose(order, channel, row.Id, row.Occurrence, user, writes.Coupons.GetValueOrDefault(user.RowKey));
        var claim = await ledger.TryMoveAsync(
            row, row with { State = DeliveryStates.Sending, Reason = null, UpdatedAt = time.GetUtcNow(), ClaimedAt = now, To = message.To, Body = message.Body }, ct);
        if (!claim.Moved)
        {
            return null;
        }

        row = claim.Row;

        // 2. record the touch on the user, re-checking the caps against the stored log
        var (capReason, touch) = order.FrequencyCap ? await ReserveTouchAsync(writes.Touches, user, channel, ct) : (null, null);
        if (capReason is not null)
        {
            await SkipAsync(writes, row, capReason, tally, ct);
            return null;
        }

        // 3. send
        SendResult sent;
        var started = time.GetTimestamp();
        try
        {
            sent = await sender.SendAsync(message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            sent = DeliveryDecision.OfException(ex);
        }

        telemetry.Sent(channel, sent.Status switch
        {
            SendStatus.Accepted => "accepted",
            SendStatus.Rejected => "rejected",
            SendStatus.NotSent => "not_sent",
            _ => "unknown",
        }, time.GetElapsedTime(started));

        // 4. record the outcome
        var outcome = DeliveryDecision.Classify(sent, time.GetUtcNow(), options.Value.NotSentRetryDelay);
        await MoveAsync(writes, sent.Status == SendStatus.Accepted ? row with { ProviderId = sent.ProviderId } : row, outcome.State, outcome.Reason, ct);
        switch (sent.Status)
        {
            case SendStatus.Accepted:
                Interlocked.Increment(ref tally.Accepted);
                break;
            case SendStatus.Rejected:
                await userEffects.ApplyAsync(user.RowKey, sent.UserEffect, ct, phone: message.To);
                Interlocked.Increment(ref tally.Rejected);
                break;
            case SendStatus.NotSent:
                Interlocked.Increment(ref tally.NotSent);
                break;
            default:
                Interlocked.Increment(ref tally.Unknown);
                break;
        }

        if (outcome.ReleaseTouch && touch is { } taken)
        {
            await ReleaseTouchAsync(writes.Touches, user, taken, ct);
        }

        return outcome.RetryAt;
    }

    /// <summary>Adds the touch to the user's log with the user's ETag; returns a cap reason if the stored log no longer allows it.</summary>
    private async Task<(string? Cap, Touch? Touch)> ReserveTouchAsync(ChunkTouches touches, TableEntity user, string channel, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var recipient = composer.RecipientOf(user);
            var touch = new Touch(now, channel);
            if (_policies.CapReason(channel, recipient, now) is { } cap)
            {
                return (cap, touch);
            }

            if (await touches.TryWriteAsync(user, recipient.Touches.Append(touch), now, ct))
            {
                return (null, touch);
            }

            if (attempt >= 5)
            {
                throw new InvalidOperationException($"user {user.RowKey} kept changing while its touch was recorded");
            }
        }
    }

    /// <summary>Takes back a touch recorded for a message the provider surely did not take, so a retry is not capped by it.</summary>
    private async Task ReleaseTouchAsync(ChunkTouches touches, TableEntity user, Touch touch, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var log = TouchLog.Parse(user.GetString(UserEntity.Touches));
            var mine = log.FindIndex(t => t.Channel == touch.Channel && Math.Abs((t.At - touch.At).TotalMinutes) < 1);
            if (mine < 0)
            {
                return;
            }

            log.RemoveAt(mine);
            if (await touches.TryWriteAsync(user, log, time.GetUtcNow(), ct))
            {
                return;
            }
        }
    }

    /// <summary>Puts the same chunk back on the queue, invisible for <paramref name="delay"/> (its finished rows are passed over then); returns when it is seen again.</summary>
    private async Task<DateTimeOffset> PutBackAsync(DeliveryChunk chunk, TimeSpan delay, CancellationToken ct)
    {
        var queue = await storage.QueueAsync(QueueNames.Deliveries, ct);
        await queue.SendMessageAsync(chunk.ToJson(), visibilityTimeout: delay, timeToLive: SendSchedule.TimeToLive(delay), cancellationToken: ct);
        return time.GetUtcNow() + delay;
    }

    private async Task SkipAsync(Writes writes, DeliveryRow row, string reason, Tally tally, CancellationToken ct)
    {
        await MoveAsync(writes, row, DeliveryStates.Skipped, reason, ct);
        Interlocked.Increment(ref tally.Skipped);
        telemetry.Skipped(row.Channel, reason);
    }

    /// <summary>An outcome: through the chunk's group commit, conditional on the row's ETag; a row someone else changed first is left to them.</summary>
    private async Task MoveAsync(Writes writes, DeliveryRow row, string state, string? reason, CancellationToken ct)
    {
        var moved = await ledger.TryMoveAsync(row, row with { State = state, Reason = reason, UpdatedAt = time.GetUtcNow() }, ct, writes.Outcomes);
        if (!moved.Moved)
        {
            LogLostRow(log, row.PartitionKey, row.RowKey, state);
        }
    }

    /// <summary>Where one chunk's writes go, and the coupons its recipients hold.</summary>
    private sealed record Writes(DeliveryLedger.Batch Outcomes, ChunkTouches Touches, IReadOnlyDictionary<string, IReadOnlyList<Coupon>> Coupons);

    private sealed class Tally
    {
        public int Accepted;
        public int Rejected;
        public int Unknown;
        public int Skipped;
        public int Deferred;
        public int NotSent;

        public ChunkResult ToResult(DateTimeOffset? comesBackAt) => new(Accepted, Rejected, Unknown, Skipped, Deferred, NotSent, comesBackAt);
    }

    [LoggerMessage(LogLevel.Information, "Campaign {CampaignId} shard {Shard} [{From}..{To}]: {Accepted} accepted, {Skipped} skipped, {Deferred} deferred, {Unknown} unknown, {Rejected} rejected")]
    private static partial void LogChunk(ILogger logger, string campaignId, string shard, string from, string to, int accepted, int skipped, int deferred, int unknown, int rejected);

    [LoggerMessage(LogLevel.Information, "Campaign {CampaignId} sends at {SendAt}: chunk of shard {Shard} put back to wait")]
    private static partial void LogNotDue(ILogger logger, string campaignId, string shard, DateTimeOffset? sendAt);

    [LoggerMessage(LogLevel.Information, "Campaign {CampaignId} is paused: chunk of shard {Shard} put back unsent")]
    private static partial void LogPaused(ILogger logger, string campaignId, string shard);

    [LoggerMessage(LogLevel.Warning, "Delivery {Partition}/{Row} changed under us; not moved to {State}")]
    private static partial void LogLostRow(ILogger logger, string partition, string row, string state);
}
