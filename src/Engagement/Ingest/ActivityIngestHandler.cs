using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Engagement.Messaging;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Engagement.Activity;
using Engagement.Content;

namespace Engagement.Ingest;

/// <summary>
/// What one ingest did. <paramref name="Repeats"/>: events whose id the user had already, with the same
/// body (changed nothing); <paramref name="Conflicts"/>: events whose id the user had already with
/// another body (not applied; recorded on the <c>errors</c> table).
/// </summary>
public sealed record IngestResult(int Events, int Users, int UsersCreated, int UsersChanged, int Repeats, IReadOnlyList<ActivityEvent> Conflicts);

/// <summary>
/// Folds activity events into the users' aggregates. Per message: validate everything first,
/// then per shard, per group of at most 100 users: read each user, apply, write back with the
/// ETag read (one user: a conditional single write; more: one batch transaction, split only past
/// the 4 MiB request limit). A 409/412 means another instance got there first: re-read and
/// re-apply, which is safe because an event id counts once per user (<see cref="SeenEvents"/>).
/// Users written recently by this instance come from <see cref="RecentUsersCache"/> instead of a read.
/// A repeated id with another body is a conflict: the first applied wins, the repeat is recorded
/// on the <c>errors</c> table and the rest of its message is applied as usual.
/// </summary>
public sealed partial class ActivityIngestHandler(
    ActivityEventParser parser,
    StorageClients storage,
    UserShards shards,
    ActivityCalendar calendar,
    RecentUsersCache cache,
    DeadLetters deadLetters,
    IOptions<ActivityOptions> options,
    IOptions<ContentPickOptions> interests,
    IEnumerable<IIngestFollowUp> followUps,
    IEnumerable<IIngestCheck> checks,
    TimeProvider time,
    ILogger<ActivityIngestHandler> log)
{
    /// <summary>The <c>errors</c> partition of conflicts met by a back-fill (no queue message to name).</summary>
    public const string ImportSource = "activity-import";

    private const int MaxAttempts = 12;

    private const int MaxConflictsListed = 20;

    private static readonly string[] ActivityColumns =
        [UserEntity.LastActiveDay, UserEntity.FirstActiveDay, UserEntity.ActiveDays, UserEntity.Purchases, UserEntity.Categories, UserEntity.SeenIds, UserEntity.InterestWeights, UserEntity.RecentInteractions];

    private readonly ActivityOptions _options = options.Value;

    private readonly IIngestFollowUp[] _followUps = [.. followUps];

    // the activity and what the follow-ups read, in one read per user
    private readonly string[] _columns = [.. ActivityColumns.Union(followUps.SelectMany(f => f.Columns), StringComparer.Ordinal)];

    /// <summary>One <c>activity-events</c> message; its conflicts are recorded under its queue and message id.</summary>
    public async Task<IngestResult> HandleAsync(QueueEnvelope message, string body, CancellationToken cancellationToken)
    {
        var events = parser.Parse(body);
        await CheckAsync(events, cancellationToken);
        var result = await ApplyAsync(events, cancellationToken);
        await RecordConflictsAsync(message, result.Conflicts, cancellationToken);
        LogIngested(log, result.Events, result.Users, result.UsersCreated, result.UsersChanged, result.Repeats, result.Conflicts.Count);
        return result;
    }

    /// <summary>Validated events from elsewhere (the CSV back-fill, benchmarks, the inbox's mark-read); conflicts are recorded under <see cref="ImportSource"/>.</summary>
    public async Task<IngestResult> IngestAsync(IReadOnlyList<ActivityEvent> events, CancellationToken cancellationToken)
    {
        await CheckAsync(events, cancellationToken);
        var result = await ApplyAsync(events, cancellationToken);
        if (result.Conflicts.Count > 0)
        {
            var listing = string.Join('\n', result.Conflicts.Select(e => $"{e.UserId},{e.EventId},{Describe(e)}"));
            await RecordConflictsAsync(new QueueEnvelope(ImportSource, Guid.NewGuid().ToString("N"), listing, 0), result.Conflicts, cancellationToken);
        }

        return result;
    }

    /// <summary>Every <see cref="IIngestCheck"/>, before anything is applied (they throw <see cref="MalformedMessageException"/>).</summary>
    private async Task CheckAsync(IReadOnlyList<ActivityEvent> events, CancellationToken ct)
    {
        foreach (var check in checks)
        {
            await check.CheckAsync(events, ct);
        }
    }

    private async Task<IngestResult> ApplyAsync(IReadOnlyList<ActivityEvent> events, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        var chunks = events
            .GroupBy(e => e.UserId, StringComparer.Ordinal)
            .GroupBy(g => shards.Of(g.Key))
            .SelectMany(shard => shard.Chunk(100).Select(users => (Shard: shard.Key, Users: users)))
            .ToList();
        int created = 0, changed = 0, repeats = 0;
        var conflicts = new System.Collections.Concurrent.ConcurrentBag<ActivityEvent>();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = _options.WriteParallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var outcome = await ApplyChunkAsync(table, chunk.Shard, chunk.Users, ct);
            Interlocked.Add(ref created, outcome.Created);
            Interlocked.Add(ref changed, outcome.Changed);
            Interlocked.Add(ref repeats, outcome.Repeats);
            outcome.Conflicts.ForEach(conflicts.Add);
        });

        return new IngestResult(events.Count, chunks.Sum(c => c.Users.Length), created, changed, repeats, [.. conflicts.OrderBy(e => e.UserId, StringComparer.Ordinal)]);
    }

    private async Task<ChunkOutcome> ApplyChunkAsync(TableClient table, string shard, IGrouping<string, ActivityEvent>[] users, CancellationToken ct)
    {
        var current = new TableEntity?[users.Length];
        var fromCache = new bool[users.Length];
        for (var attempt = 1; ; attempt++)
        {
            // first attempt: cached users cost no read. After a conflict, the cached ones are read again (the
            // nightly job's standings move every ETag it touches, so after a night most cached copies are stale);
            // after a second conflict someone else is writing these users: everything comes from storage
            var retryCachedOnly = attempt == 2 && fromCache.Any(c => c);
            var reads = new Task<TableEntity?>[users.Length];
            for (var i = 0; i < users.Length; i++)
            {
                if (attempt == 1 && cache.TryTake(shard, users[i].Key, out var cached))
                {
                    fromCache[i] = true;
                    reads[i] = Task.FromResult<TableEntity?>(cached);
                }
                else
                {
                    reads[i] = retryCachedOnly && !fromCache[i] ? Task.FromResult(current[i]) : ReadAsync(table, shard, users[i].Key, ct);
                }
            }

            current = await Task.WhenAll(reads);
            var actions = new List<TableTransactionAction>(users.Length);
            var rows = new List<TableEntity>(users.Length); // per action: the row as stored after it, for the cache
            var followed = new IngestedUser[users.Length];
            var unchanged = new List<TableEntity>();
            var created = 0;
            var repeats = 0;
            var conflicts = new List<ActivityEvent>();
            for (var i = 0; i < users.Length; i++)
            {
                var existing = current[i];
                var aggregate = existing is null ? new ActivityAggregate() : UserEntity.ReadActivity(existing);
                var profile = InterestProfile.TryParse(existing?.GetString(UserEntity.InterestWeights), out var read) ? read : InterestProfile.Empty;
                var recent = RecentInteractions.Parse(existing?.GetString(UserEntity.RecentInteractions));
                var interested = false;
                var any = false;
                var events = new List<ActivityEvent>();
                foreach (var e in users[i])
                {
                    try
                    {
                        switch (aggregate.Apply(e, calendar.DayOf(e.OccurredAt)))
                        {
                            case ApplyOutcome.Applied:
                                any = true;
                                events.Add(e);
                                // only a new event weighs in: a repeat was counted when it was applied
                                if (e.Category is not null && interests.Value.WeightOf(e.Type) > 0)
                                {
                                    (profile, interested) = (profile.Add(e.Type, e.Category, e.OccurredAt, interests.Value), true);
                                }

                                // the days of interactions per category: the weekly content holdout's organic rate
                                if (e.Type == ActivityType.Interaction && e.Category is { } touched)
                                {
                                    recent = recent.Add(calendar.DateOf(e.OccurredAt), touched);
                                }

                                break;
                            case ApplyOutcome.Repeat: repeats++; events.Add(e); break;
                            case ApplyOutcome.Conflict: conflicts.Add(e); break;
                        }
                    }
                    catch (InvalidOperationException ex)
                    {
                        throw new MalformedMessageException($"user {users[i].Key}: {ex.Message}", ex);
                    }
                }

                var entity = new TableEntity(shard, users[i].Key);
                UserEntity.WriteActivity(entity, aggregate);
                if (interested)
                {
                    entity[UserEntity.InterestWeights] = profile.Format();
                }

                if (recent.Count > 0)
                {
                    entity[UserEntity.RecentInteractions] = recent.Format();
                }
                if (existing is null)
                {
                    // an event for a user we have never seen: a minimal profile, no marketing consent
                    UserEntity.WriteProfile(entity, new UserProfile { Source = "activity", RegisteredOn = users[i].Min(e => e.OccurredAt) });
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, entity));
                    rows.Add(new TableEntity(entity));
                    followed[i] = new IngestedUser(shard, users[i].Key, rows[^1], events, Created: true);
                    created++;
                }
                else if (any)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, existing.ETag));
                    var stored = new TableEntity(existing); // the follow-ups' columns as read, the activity as written
                    foreach (var (column, value) in entity)
                    {
                        stored[column] = value;
                    }

                    rows.Add(stored);
                    followed[i] = new IngestedUser(shard, users[i].Key, stored, events, Created: false);
                }
                else
                {
                    unchanged.Add(existing);
                    followed[i] = new IngestedUser(shard, users[i].Key, existing, events, Created: false);
                }
            }

            unchanged.ForEach(cache.Put);
            if (actions.Count == 0)
            {
                await FollowUpAsync(followed, ct);
                return new ChunkOutcome(0, 0, repeats, conflicts);
            }

            try
            {
                // usually one transaction; several only past the request-size limit. A conflict in a later
                // one re-applies everything: the users already written then hold these ids (repeats)
                var written = 0;
                foreach (var batch in SizedBatches(actions))
                {
                    await WriteAsync(table, batch, rows.GetRange(written, batch.Count), ct);
                    written += batch.Count;
                }
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // someone else wrote one of these users between our read and write
                LogConflict(log, shard, attempt, ex.Status);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), time, ct);
                continue;
            }

            await FollowUpAsync(followed, ct);
            return new ChunkOutcome(created, actions.Count - created, repeats, conflicts);
        }
    }

    /// <summary>After the chunk's rows are written: a crash before this ends re-runs it on the redelivery (events as repeats).</summary>
    private async Task FollowUpAsync(IngestedUser[] users, CancellationToken ct)
    {
        if (_followUps.Length == 0)
        {
            return;
        }

        IReadOnlyList<IngestedUser> withEvents = [.. users.Where(u => u.Events.Count > 0)];
        if (withEvents.Count == 0)
        {
            return;
        }

        foreach (var followUp in _followUps)
        {
            await followUp.FollowAsync(withEvents, ct);
        }
    }

    /// <param name="rows">Per action, the whole row as stored once it succeeds (what the cache keeps).</param>
    private async Task WriteAsync(TableClient table, List<TableTransactionAction> actions, List<TableEntity> rows, CancellationToken ct)
    {
        IReadOnlyList<Response> responses;
        if (actions.Count == 1)
        {
            // a single conditional write: one request, no multipart body
            var only = actions[0];
            responses = only.ActionType == TableTransactionActionType.Add
                ? [await table.AddEntityAsync(only.Entity, ct)]
                : [await table.UpdateEntityAsync(only.Entity, only.ETag, TableUpdateMode.Merge, ct)];
        }
        else
        {
            responses = (await table.SubmitTransactionAsync(actions, ct)).Value;
        }

        // what we wrote is what is stored now: cache it under the new ETag
        for (var i = 0; i < actions.Count && i < responses.Count; i++)
        {
            if (responses[i].Headers.ETag is { } etag)
            {
                var stored = rows[i];
                stored.ETag = etag;
                cache.Put(stored);
            }
        }
    }

    /// <summary>
    /// Splits the writes so no transaction nears the 4 MiB request limit: a user's activity can be
    /// ~130 KB (two full 64 KiB properties, sent as base64), so 100 heavy users would not fit one.
    /// </summary>
    internal static IEnumerable<List<TableTransactionAction>> SizedBatches(List<TableTransactionAction> actions)
    {
        const long Budget = 3L * 1024 * 1024;
        var batch = new List<TableTransactionAction>();
        long size = 0;
        foreach (var action in actions)
        {
            var estimate = 1_024 + ((TableEntity)action.Entity).Sum(p => 64L + p.Value switch
            {
                byte[] bytes => (bytes.Length + 2) / 3 * 4L,
                string text => text.Length * 3L,
                _ => 32L,
            });
            if (batch.Count > 0 && size + estimate > Budget)
            {
                yield return batch;
                batch = [];
                size = 0;
            }

            batch.Add(action);
            size += estimate;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private async Task RecordConflictsAsync(QueueEnvelope source, IReadOnlyList<ActivityEvent> conflicts, CancellationToken ct)
    {
        if (conflicts.Count == 0)
        {
            return;
        }

        var listed = conflicts.Take(MaxConflictsListed).Select(e => $"user '{e.UserId}' eventId '{e.EventId}' ({Describe(e)})");
        var error = $"eventId conflict: {conflicts.Count} event(s) repeat an id the user has with another body and were not applied (the first applied wins): "
            + string.Join("; ", listed) + (conflicts.Count > MaxConflictsListed ? $"; and {conflicts.Count - MaxConflictsListed} more" : "");
        await deadLetters.RecordAsync(source, error, ct);
        LogConflicts(log, conflicts.Count, source.Queue, source.MessageId);
    }

    private static string Describe(ActivityEvent e) =>
        string.Create(CultureInfo.InvariantCulture, $"{e.Type.ToString().ToLowerInvariant()}{(e.Type == ActivityType.Purchase ? $" {e.AmountMinor / 100m:0.00}" : "")}{(e.Category is { } c ? $" [{c}]" : "")} at {e.OccurredAt:O}");

    private async Task<TableEntity?> ReadAsync(TableClient table, string shard, string user, CancellationToken ct)
    {
        var read = await table.GetEntityIfExistsAsync<TableEntity>(shard, user, _columns, ct);
        return read.HasValue ? read.Value : null;
    }

    [LoggerMessage(LogLevel.Debug, "Ingested {Events} events for {Users} users ({Created} new, {Changed} changed; {Repeats} repeats, {Conflicts} conflicts)")]
    private static partial void LogIngested(ILogger logger, int events, int users, int created, int changed, int repeats, int conflicts);

    [LoggerMessage(LogLevel.Warning, "{Count} activity event(s) repeat an id with another body and were not applied ({Source} {MessageId}; see the errors table)")]
    private static partial void LogConflicts(ILogger logger, int count, string source, string messageId);

    [LoggerMessage(LogLevel.Debug, "Concurrent update in shard {Shard} (attempt {Attempt}, status {Status}); re-reading")]
    private static partial void LogConflict(ILogger logger, string shard, int attempt, int status);

    private sealed record ChunkOutcome(int Created, int Changed, int Repeats, List<ActivityEvent> Conflicts);
}
