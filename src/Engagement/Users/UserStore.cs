using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Users;

/// <summary>Bulk reads and writes of whole users, for imports, seeding and exports.</summary>
public sealed partial class UserStore(StorageClients storage, UserShards shards, PhoneIndex phones)
{
    private static readonly HashSet<string> ProfileColumns =
    [
        UserEntity.Phone, UserEntity.PushToken, UserEntity.TimeZone, UserEntity.ConsentSms, UserEntity.ConsentPush,
        UserEntity.ConsentInApp, UserEntity.Interests, UserEntity.RegisteredOn, UserEntity.Source,
    ];

    /// <summary>Merges profile columns (insert or update), leaving activity and standing alone; indexes the numbers.</summary>
    public async Task UpsertProfilesAsync(IEnumerable<(string UserId, UserProfile Profile)> profiles, int parallelism, CancellationToken cancellationToken)
    {
        var list = profiles as IReadOnlyCollection<(string UserId, UserProfile Profile)> ?? profiles.ToList();
        // the index alongside, not after: both are idempotent upserts, so a failure of either is retried whole
        await Task.WhenAll(
            WriteAsync(list.Select(p =>
            {
                var e = new TableEntity(shards.Of(p.UserId), p.UserId);
                UserEntity.WriteProfile(e, p.Profile);
                return e;
            }), TableTransactionActionType.UpsertMerge, parallelism, cancellationToken),
            phones.AddAsync(list.Where(p => p.Profile.Phone is not null).Select(p => (p.UserId, p.Profile.Phone!)), parallelism, cancellationToken));
    }

    /// <summary>
    /// Merges only the given profile columns (<see cref="UserEntity"/> names) per user, inserting a user that is new;
    /// every other column keeps its value. Indexes the numbers among them. Profile imports that change only what they state.
    /// </summary>
    public async Task MergeProfileColumnsAsync(IReadOnlyCollection<(string UserId, IReadOnlyDictionary<string, object?> Columns)> rows, int parallelism, CancellationToken cancellationToken)
    {
        if (rows.SelectMany(r => r.Columns.Keys).FirstOrDefault(k => !ProfileColumns.Contains(k)) is { } other)
        {
            throw new ArgumentException($"'{other}' is not a profile column", nameof(rows));
        }

        await Task.WhenAll(
            WriteAsync(rows.Select(r =>
            {
                var e = new TableEntity(shards.Of(r.UserId), r.UserId);
                foreach (var (column, value) in r.Columns)
                {
                    e[column] = value;
                }

                return e;
            }), TableTransactionActionType.UpsertMerge, parallelism, cancellationToken),
            phones.AddAsync(rows.Where(r => r.Columns.GetValueOrDefault(UserEntity.Phone) is string).Select(r => (r.UserId, (string)r.Columns[UserEntity.Phone]!)), parallelism, cancellationToken));
    }

    /// <summary>Which of <paramref name="userIds"/> have a row (point reads of the key only).</summary>
    public async Task<IReadOnlySet<string>> ExistingAsync(IEnumerable<string> userIds, int parallelism, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(userIds.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(shards.Of(id), id, ["RowKey"], ct);
            if (row.HasValue)
            {
                found[id] = true;
            }
        });
        return found.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Writes whole users (profile + activity), replacing what is there; indexes the numbers. Seeding and benchmarks.</summary>
    public async Task ReplaceAsync(IEnumerable<UserRecord> users, int parallelism, CancellationToken cancellationToken)
    {
        var list = users as IReadOnlyCollection<UserRecord> ?? users.ToList();
        await Task.WhenAll(
            phones.AddAsync(list.Where(u => u.Profile.Phone is not null).Select(u => (u.UserId, u.Profile.Phone!)), parallelism, cancellationToken),
            WriteAsync(list.Select(u =>
            {
                var e = new TableEntity(shards.Of(u.UserId), u.UserId);
                UserEntity.WriteProfile(e, u.Profile);
                UserEntity.WriteActivity(e, u.Activity);
                if (u.Standing is { } s)
                {
                    UserEntity.WriteStanding(e, s);
                }

                return e;
            }), TableTransactionActionType.UpsertReplace, parallelism, cancellationToken));
    }

    public async Task<UserRecord?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        var e = await table.GetEntityIfExistsAsync<TableEntity>(shards.Of(userId), userId, cancellationToken: cancellationToken);
        return e.HasValue && e.Value is not null ? UserEntity.ToRecord(e.Value) : null;
    }

    /// <summary>The activity of <paramref name="userIds"/>: a scan of every shard reading the activity columns only (cheaper in requests than a read per user when they are thousands).</summary>
    public async Task<IReadOnlyDictionary<string, Activity.ActivityAggregate>> ActivityOfAsync(IReadOnlySet<string> userIds, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        var result = new Dictionary<string, Activity.ActivityAggregate>(StringComparer.Ordinal);
        foreach (var shard in shards.All)
        {
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {shard}"), maxPerPage: 1000,
                select: ["RowKey", UserEntity.LastActiveDay, UserEntity.FirstActiveDay, UserEntity.ActiveDays], cancellationToken: cancellationToken))
            {
                if (userIds.Contains(e.RowKey))
                {
                    result[e.RowKey] = UserEntity.ReadActivity(e);
                }
            }
        }

        return result;
    }

    /// <summary>Every user, shard by shard.</summary>
    public async IAsyncEnumerable<UserRecord> ScanAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        foreach (var shard in shards.All)
        {
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {shard}"), maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                yield return UserEntity.ToRecord(e);
            }
        }
    }

    private async Task WriteAsync(IEnumerable<TableEntity> entities, TableTransactionActionType action, int parallelism, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        // one transaction = one partition, at most 100 entities; stream in slices to bound memory
        foreach (var slice in entities.Chunk(20_000))
        {
            // a transaction may not touch one entity twice: the last row for a user wins
            var batches = slice.GroupBy(e => e.PartitionKey)
                .SelectMany(g => g.GroupBy(e => e.RowKey, StringComparer.Ordinal).Select(u => u.Last()).Chunk(100));
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (batch, ct) =>
                await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(action, e)), ct));
        }
    }
}
