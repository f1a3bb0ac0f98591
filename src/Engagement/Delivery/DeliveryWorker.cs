using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Messaging;
using Engagement.Storage;
using Engagement.Telemetry;
using Engagement.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Delivery;

/// <summary>What one chunk did; <paramref name="ComesBackAt"/>: when the chunk, put back on the queue, is seen again (null: not put back).</summary>
public sealed record ChunkResult(int Accepted, int Rejected, int Unknown, int Skipped, int Deferred, int NotSent, DateTimeOffset? ComesBackAt = null);

/// <summary>
/// Handles one <c>deliveries</c> message. Per recipient and channel, with every state change an
/// ETag-conditional single-entity write on the ledger row (so two workers never both send):
/// <list type="number">
/// <item>a chunk of a campaign not yet due (<see cref="SendSchedule"/>) goes back to the queue untouched;</item>
/// <item>a row left in <c>sending</c> by a crashed attempt is ambiguous: marked <c>unknown</c>, never resent;</item>
/// <item>a <c>planned</c> row runs the policies (<see cref="DeliveryPolicies"/>): skip (recorded with its reason), defer (stays planned; the chunk comes back when quiet hours end) or send;</item>
/// <item>send: claim <c>planned → sending</c>, record the touch on the user (conditional on the user's ETag, re-checking the caps), render, hand to the channel's sender, record <c>accepted | failed | unknown</c>;
/// a provider that surely did not take it puts the row back to <c>planned</c> and the chunk is retried.</item>
/// </list>
/// </summary>
public sealed partial class DeliveryWorker(
    StorageClients storage,
    CampaignStore campaigns,
    CampaignTriggerParser parser,
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
    private readonly DeliveryPolicies _policies = new(options.Value);
    private readonly ConcurrentDictionary<string, CampaignTrigger> _triggers = new(StringComparer.Ordinal);

    public async Task<ChunkResult> HandleAsync(DeliveryChunk chunk, CancellationToken cancellationToken)
    {
        using var span = EngagementTelemetry.StartContinuing("campaign.deliver", chunk.TraceParent);
        span?.SetTag("campaign.id", chunk.CampaignId);
        span?.SetTag("shard", chunk.Shard);
        var trigger = await TriggerAsync(chunk.CampaignId, cancellationToken);
        if (SendSchedule.TimeUntilDue(trigger.SendAt, trigger.ExpiresAt, time.GetUtcNow()) is { } wait)
        {
            // early, whoever enqueued it (the planner's 7-day hop of a later sendAt, a resume, a poison replay,
            // a re-plan): back on the queue untouched, nothing read or claimed, for the rest of the wait
            LogNotDue(log, chunk.CampaignId, chunk.Shard, trigger.SendAt);
            span?.SetTag("campaign.send_at", trigger.SendAt);
            return new ChunkResult(0, 0, 0, 0, 0, 0, await PutBackAsync(chunk, SendSchedule.Hop(wait), cancellationToken));
        }

        if (!(trigger.ExpiresAt <= time.GetUtcNow()) && await campaigns.IsPausedAsync(chunk.CampaignId, cancellationToken))
        {
            // nothing sent, nothing claimed: the same chunk asks again later; once the campaign has expired it goes
            // through (the policies skip every row as expired), so a forgotten pause does not circulate for ever
            var back = await PutBackAsync(chunk, options.Value.NotSentRetryDelay, cancellationToken);
            LogPaused(log, chunk.CampaignId, chunk.Shard);
            span?.SetTag("campaign.paused", true);
            return new ChunkResult(0, 0, 0, 0, 0, 0, back);
        }

        var usersTable = await storage.TableAsync(TableNames.Users, cancellationToken);
        var ledger = await storage.TableAsync(TableNames.DeliveriesOf(chunk.Shard), cancellationToken);
        var partition = DeliveryKey.PartitionOf(chunk.CampaignId, chunk.Shard);

        var rows = new List<TableEntity>();
        foreach (var channel in trigger.Channels)
        {
            var prefix = DeliveryKey.RowKeyPrefix(channel.Channel, chunk.Occurrence);
            await foreach (var row in ledger.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix + chunk.From} and RowKey le {prefix + chunk.To}"), cancellationToken: cancellationToken))
            {
                rows.Add(row);
            }
        }

        var open = rows.Where(r => r.GetString("State") is DeliveryStates.Planned or DeliveryStates.Sending).GroupBy(r => r.GetString("UserId")!, StringComparer.Ordinal).ToList();
        if (open.Count == 0)
        {
            return new ChunkResult(0, 0, 0, 0, 0, 0); // a replay of a finished chunk
        }

        var users = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var u in usersTable.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {chunk.Shard} and RowKey ge {chunk.From} and RowKey le {chunk.To}"), select: UserColumns, cancellationToken: cancellationToken))
        {
            users[u.RowKey] = u;
        }

        // the chunk's touch logs live in the shard's own (small) table
        var touchesTable = await storage.TableAsync(TableNames.TouchesOf(chunk.Shard), cancellationToken);
        var touchETags = await TouchLogs.LoadAsync(touchesTable, chunk.Shard, chunk.From, chunk.To, users, cancellationToken);

        // outcomes and touches of concurrent recipients share batch transactions; claims stay single writes
        await using var ledgerCommit = new GroupCommit(ledger);
        await using var touchesCommit = new GroupCommit(touchesTable);
        var writes = new Writes(new LedgerWriter(ledger, ledgerCommit), usersTable, touchesTable, touchesCommit, touchETags);
        var tally = new Tally();
        DateTimeOffset? retryAt = null;
        var gate = new object();
        await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = options.Value.SendParallelism, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            users.TryGetValue(group.Key, out var user);
            foreach (var row in group.OrderBy(r => r.GetString("Channel"), StringComparer.Ordinal))
            {
                var deferUntil = await DeliverAsync(trigger, chunk.Shard, writes, row, user, tally, ct);
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

    private async Task<DateTimeOffset?> DeliverAsync(CampaignTrigger trigger, string shard, Writes writes, TableEntity row, TableEntity? user, Tally tally, CancellationToken ct)
    {
        var ledger = writes.Ledger;
        var channel = row.GetString("Channel")!;
        if (row.GetString("State") == DeliveryStates.Sending)
        {
            var leaseEnd = (row.GetDateTimeOffset("ClaimedAt") ?? DateTimeOffset.MinValue) + options.Value.SendLease;
            if (time.GetUtcNow() < leaseEnd)
            {
                // another worker is sending it right now: look again when its lease ends
                Interlocked.Increment(ref tally.Deferred);
                return leaseEnd;
            }

            // claimed by an attempt that never recorded the outcome: it may have gone out
            await MoveAsync(ledger, row, DeliveryStates.Unknown, "interrupted-after-claim", ct);
            Interlocked.Increment(ref tally.Unknown);
            return null;
        }

        if (user is null)
        {
            await SkipAsync(ledger, row, channel, "unknown-user", tally, ct);
            return null;
        }

        var now = time.GetUtcNow();
        var verdict = _policies.Evaluate(channel, composer.RecipientOf(user), trigger.ExpiresAt, now);
        if (verdict.Kind == VerdictKind.Defer)
        {
            Interlocked.Increment(ref tally.Deferred);
            return verdict.Until;
        }

        if (verdict.Kind == VerdictKind.Skip || trigger.DryRun)
        {
            await SkipAsync(ledger, row, channel, verdict.Reason ?? "dry-run", tally, ct);
            return null;
        }

        if (!_senders.TryGetValue(channel, out var sender))
        {
            throw new InvalidOperationException($"no sender is configured for channel '{channel}'");
        }

        // 1. claim: from here on this row is ours for the lease, or someone else's (412) and we leave it;
        // the address and text go with it, so an ambiguous outcome can be looked up at the provider later
        var message = composer.Compose(trigger, channel, DeliveryKey.IdOf(row), row.GetInt32("Occurrence") ?? 1, user);
        row["ClaimedAt"] = now;
        row["To"] = message.To;
        row["Body"] = message.Body;
        if (!await TryMoveAsync(ledger, row, DeliveryStates.Sending, null, ct, single: true))
        {
            return null;
        }

        // 2. record the touch on the user, re-checking the caps against the stored log
        var (capReason, touch) = await ReserveTouchAsync(writes, shard, user, channel, ct);
        if (capReason is not null)
        {
            await SkipAsync(ledger, row, channel, capReason, tally, ct);
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
            sent = new SendResult(SendStatus.Unknown, Reason: "sender-error: " + ex.GetType().Name);
        }

        telemetry.Sent(channel, sent.Status switch
        {
            SendStatus.Accepted => "accepted",
            SendStatus.Rejected => "rejected",
            SendStatus.NotSent => "not_sent",
            _ => "unknown",
        }, time.GetElapsedTime(started));

        switch (sent.Status)
        {
            case SendStatus.Accepted:
                row["ProviderId"] = sent.ProviderId;
                await MoveAsync(ledger, row, DeliveryStates.Accepted, null, ct);
                Interlocked.Increment(ref tally.Accepted);
                break;
            case SendStatus.Rejected:
                await MoveAsync(ledger, row, DeliveryStates.Failed, sent.Reason, ct);
                await userEffects.ApplyAsync(user.RowKey, sent.UserEffect, ct, phone: message.To);
                Interlocked.Increment(ref tally.Rejected);
                break;
            case SendStatus.NotSent:
                // surely not taken (throttled, unreachable, breaker open): back to planned, and the
                // chunk comes back later as a new message, so an outage does not use up its deliveries
                await MoveAsync(ledger, row, DeliveryStates.Planned, null, ct);
                await ReleaseTouchAsync(writes, shard, user, touch, ct);
                Interlocked.Increment(ref tally.NotSent);
                return time.GetUtcNow() + options.Value.NotSentRetryDelay;
            default:
                await MoveAsync(ledger, row, DeliveryStates.Unknown, sent.Reason ?? "ambiguous", ct);
                Interlocked.Increment(ref tally.Unknown);
                break;
        }

        return null;
    }

    /// <summary>Adds the touch to the user's log with the user's ETag; returns a cap reason if the stored log no longer allows it.</summary>
    private async Task<(string? Cap, Touch Touch)> ReserveTouchAsync(Writes writes, string shard, TableEntity user, string channel, CancellationToken ct)
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

            if (await TryWriteTouchesAsync(writes, shard, user, recipient.Touches.Append(touch), now, ct))
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
    private async Task ReleaseTouchAsync(Writes writes, string shard, TableEntity user, Touch touch, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var touches = TouchLog.Parse(user.GetString(UserEntity.Touches));
            var mine = touches.FindIndex(t => t.Channel == touch.Channel && Math.Abs((t.At - touch.At).TotalMinutes) < 1);
            if (mine < 0)
            {
                return;
            }

            touches.RemoveAt(mine);
            if (await TryWriteTouchesAsync(writes, shard, user, touches, time.GetUtcNow(), ct))
            {
                return;
            }
        }
    }

    /// <summary>Writes the user's touch log conditionally (its row's ETag, or an insert for a first touch); false, after re-reading it, when someone else wrote it first.</summary>
    private static async Task<bool> TryWriteTouchesAsync(Writes writes, string shard, TableEntity user, IEnumerable<Touch> touches, DateTimeOffset now, CancellationToken ct)
    {
        var row = new TableEntity(shard, user.RowKey) { [UserEntity.Touches] = TouchLog.Format(touches, now) };
        try
        {
            var response = writes.TouchETags.TryGetValue(user.RowKey, out var etag)
                ? await writes.TouchesCommit.UpdateAsync(row, etag, TableUpdateMode.Replace, ct)
                : await writes.TouchesCommit.AddAsync(row, ct);
            user[UserEntity.Touches] = row[UserEntity.Touches];
            if (response.Headers.ETag is { } written)
            {
                writes.TouchETags[user.RowKey] = written;
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // another campaign recorded a touch first: re-read, the caller re-checks the caps
            var fresh = await writes.TouchesTable.GetEntityIfExistsAsync<TableEntity>(shard, user.RowKey, cancellationToken: ct);
            user[UserEntity.Touches] = fresh.HasValue ? fresh.Value!.GetString(UserEntity.Touches) : null;
            if (fresh.HasValue)
            {
                writes.TouchETags[user.RowKey] = fresh.Value!.ETag;
            }
            else
            {
                writes.TouchETags.TryRemove(user.RowKey, out _);
            }

            return false;
        }
    }

    /// <summary>Puts the same chunk back on the queue, invisible for <paramref name="delay"/> (its finished rows are passed over then); returns when it is seen again.</summary>
    private async Task<DateTimeOffset> PutBackAsync(DeliveryChunk chunk, TimeSpan delay, CancellationToken ct)
    {
        var queue = await storage.QueueAsync(QueueNames.Deliveries, ct);
        await queue.SendMessageAsync(chunk.ToJson(), visibilityTimeout: delay, timeToLive: SendSchedule.TimeToLive(delay), cancellationToken: ct);
        return time.GetUtcNow() + delay;
    }

    private async Task<CampaignTrigger> TriggerAsync(string campaignId, CancellationToken ct)
    {
        if (_triggers.TryGetValue(campaignId, out var cached))
        {
            return cached;
        }

        var record = await campaigns.GetAsync(campaignId, ct) ?? throw new MalformedMessageException($"unknown campaign '{campaignId}'");
        return _triggers[campaignId] = parser.ParseAccepted(record.Trigger);
    }

    private async Task SkipAsync(LedgerWriter ledger, TableEntity row, string channel, string reason, Tally tally, CancellationToken ct)
    {
        await MoveAsync(ledger, row, DeliveryStates.Skipped, reason, ct);
        Interlocked.Increment(ref tally.Skipped);
        telemetry.Skipped(channel, reason);
    }

    private async Task MoveAsync(LedgerWriter ledger, TableEntity row, string state, string? reason, CancellationToken ct)
    {
        if (!await TryMoveAsync(ledger, row, state, reason, ct))
        {
            LogLostRow(log, row.PartitionKey, row.RowKey, state);
        }
    }

    /// <summary>A conditional single-entity write (Azurite enforces If-Match only outside batches).</summary>
    private async Task<bool> TryMoveAsync(LedgerWriter ledger, TableEntity row, string state, string? reason, CancellationToken ct, bool single = false)
    {
        row["State"] = state;
        row["Reason"] = reason;
        row["UpdatedAt"] = time.GetUtcNow();
        // names this write, so a 412 can be told apart: our own write that an SDK retry repeated, or someone else's
        var writeId = Guid.NewGuid().ToString("N");
        row["WriteId"] = writeId;
        try
        {
            var response = single
                ? await ledger.Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct)
                : await ledger.Commit.UpdateAsync(row, row.ETag, TableUpdateMode.Replace, ct);
            row.ETag = response.Headers.ETag ?? row.ETag;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // an SDK retry of our own write can answer 412 although it landed: look before calling it a conflict
            var current = await ledger.Table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct);
            if (current.Value.GetString("WriteId") == writeId)
            {
                row.ETag = current.Value.ETag;
                return true;
            }

            return false;
        }
    }

    /// <summary>The ledger table and its group commit.</summary>
    private sealed record LedgerWriter(TableClient Table, GroupCommit Commit);

    /// <summary>Where one chunk's writes go.</summary>
    private sealed record Writes(LedgerWriter Ledger, TableClient UsersTable, TableClient TouchesTable, GroupCommit TouchesCommit, ConcurrentDictionary<string, ETag> TouchETags);

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
