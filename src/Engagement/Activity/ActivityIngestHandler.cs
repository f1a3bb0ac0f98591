using Azure;
using Azure.Data.Tables;
using Engagement.Messaging;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Activity;

public sealed record IngestResult(int Events, int Users, int UsersCreated, int UsersChanged);

/// <summary>
/// Folds activity events into the users' aggregates. Per message: validate everything first,
/// then per shard, per group of at most 100 users: read each user, apply, write back with the
/// ETag read (one user: a conditional single write; more: one batch transaction). A 409/412
/// means another instance got there first: re-read and re-apply, which is safe because applying
/// is idempotent (day bits, category set, purchase ledger keyed by event id). Users written
/// recently by this instance come from <see cref="RecentUsersCache"/> instead of a read.
/// </summary>
public sealed partial class ActivityIngestHandler(
    ActivityEventParser parser,
    StorageClients storage,
    UserShards shards,
    ActivityCalendar calendar,
    RecentUsersCache cache,
    IOptions<ActivityOptions> options,
    TimeProvider time,
    ILogger<ActivityIngestHandler> log)
{
    private const int MaxAttempts = 12;

    private static readonly string[] ActivityColumns =
        [UserEntity.LastActiveDay, UserEntity.FirstActiveDay, UserEntity.ActiveDays, UserEntity.Purchases, UserEntity.Categories];

    private readonly ActivityOptions _options = options.Value;

    public async Task<IngestResult> HandleAsync(string body, CancellationToken cancellationToken)
    {
        var events = parser.Parse(body);
        var result = await IngestAsync(events, cancellationToken);
        LogIngested(log, result.Events, result.Users, result.UsersCreated, result.UsersChanged);
        return result;
    }

    public async Task<IngestResult> IngestAsync(IReadOnlyList<ActivityEvent> events, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        var chunks = events
            .GroupBy(e => e.UserId, StringComparer.Ordinal)
            .GroupBy(g => shards.Of(g.Key))
            .SelectMany(shard => shard.Chunk(100).Select(users => (Shard: shard.Key, Users: users)))
            .ToList();
        int created = 0, changed = 0;
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = _options.WriteParallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var (c, u) = await ApplyChunkAsync(table, chunk.Shard, chunk.Users, ct);
            Interlocked.Add(ref created, c);
            Interlocked.Add(ref changed, u);
        });

        return new IngestResult(events.Count, chunks.Sum(c => c.Users.Length), created, changed);
    }

    private async Task<(int Created, int Changed)> ApplyChunkAsync(TableClient table, string shard, IGrouping<string, ActivityEvent>[] users, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            // first attempt: cached users cost no read; after a conflict, everything comes from storage
            var current = await Task.WhenAll(users.Select(u => attempt == 1 && cache.TryTake(shard, u.Key, out var cached)
                ? Task.FromResult<TableEntity?>(cached)
                : ReadAsync(table, shard, u.Key, ct)));
            var actions = new List<TableTransactionAction>(users.Length);
            var unchanged = new List<TableEntity>();
            var created = 0;
            for (var i = 0; i < users.Length; i++)
            {
                var existing = current[i];
                var aggregate = existing is null ? new ActivityAggregate() : UserEntity.ReadActivity(existing);
                var any = false;
                foreach (var e in users[i])
                {
                    try
                    {
                        any |= aggregate.Apply(e, calendar.DayOf(e.OccurredAt));
                    }
                    catch (InvalidOperationException ex)
                    {
                        throw new MalformedMessageException($"user {users[i].Key}: {ex.Message}", ex);
                    }
                }

                var entity = new TableEntity(shard, users[i].Key);
                UserEntity.WriteActivity(entity, aggregate);
                if (existing is null)
                {
                    // an event for a user we have never seen: a minimal profile, no marketing consent
                    UserEntity.WriteProfile(entity, new UserProfile { Source = "activity", RegisteredOn = users[i].Min(e => e.OccurredAt) });
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, entity));
                    created++;
                }
                else if (any)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, existing.ETag));
                }
                else
                {
                    unchanged.Add(existing);
                }
            }

            unchanged.ForEach(cache.Put);
            if (actions.Count == 0)
            {
                return (0, 0);
            }

            try
            {
                IReadOnlyList<Response> responses;
                if (actions.Count == 1)
                {
                    // a single conditional write: If-Match is enforced everywhere (Azurite ignores it inside batches)
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
                        var stored = (TableEntity)actions[i].Entity;
                        stored.ETag = etag;
                        cache.Put(stored);
                    }
                }

                return (created, actions.Count - created);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // someone else wrote one of these users between our read and write
                LogConflict(log, shard, attempt, ex.Status);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), time, ct);
            }
        }
    }

    private static async Task<TableEntity?> ReadAsync(TableClient table, string shard, string user, CancellationToken ct)
    {
        var read = await table.GetEntityIfExistsAsync<TableEntity>(shard, user, ActivityColumns, ct);
        return read.HasValue ? read.Value : null;
    }

    [LoggerMessage(LogLevel.Debug, "Ingested {Events} events for {Users} users ({Created} new, {Changed} changed)")]
    private static partial void LogIngested(ILogger logger, int events, int users, int created, int changed);

    [LoggerMessage(LogLevel.Debug, "Concurrent update in shard {Shard} (attempt {Attempt}, status {Status}); re-reading")]
    private static partial void LogConflict(ILogger logger, string shard, int attempt, int status);
}
