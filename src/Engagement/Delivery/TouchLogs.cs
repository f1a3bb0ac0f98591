using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.Delivery;

/// <summary>
/// The store of the touch logs (table <c>touches{shard}</c>, one row per user who was messaged): reads them into
/// the user rows the policies look at, and writes them through <see cref="ChunkTouches"/> only. Kept apart from the users table, which holds every user:
/// Azurite's cost per update grows with a table's rows, and touch logs are updated on every send.
/// </summary>
public static class TouchLogs
{
    /// <summary>The shard's touch rows: each user's touch log and its row's ETag.</summary>
    public static async Task<Dictionary<string, (string? Touches, ETag ETag)>> ReadAsync(TableClient touches, string shard, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {shard}");
        var logs = new Dictionary<string, (string?, ETag)>(StringComparer.Ordinal);
        await foreach (var row in touches.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            logs[row.RowKey] = (row.GetString(UserEntity.Touches), row.ETag);
        }

        return logs;
    }

    /// <summary>
    /// Opens one chunk's touch logs (its users' rows, read by key: <see cref="KeyedRowsReader"/>): puts each user's log into
    /// its row and keeps the touch rows' ETags for the conditional writes.
    /// </summary>
    public static async Task<ChunkTouches> OpenAsync(StorageClients storage, string shard, IReadOnlyList<string> userIds, IReadOnlyDictionary<string, TableEntity> users, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.TouchesOf(shard), cancellationToken);
        var etags = new ConcurrentDictionary<string, ETag>(StringComparer.Ordinal);
        foreach (var row in await KeyedRowsReader.ReadAsync(table, shard, userIds, [UserEntity.Touches], cancellationToken))
        {
            etags[row.RowKey] = row.ETag;
            if (users.TryGetValue(row.RowKey, out var user))
            {
                user[UserEntity.Touches] = row.GetString(UserEntity.Touches);
            }
        }

        return new ChunkTouches(table, shard, etags);
    }
}

/// <summary>
/// The touch logs of one delivery chunk, and the only writer of the <c>touches{shard}</c> table: each write is
/// conditional on the row's ETag (an insert for a first touch), so racing campaigns re-check the caps.
/// Concurrent recipients' writes share batch transactions.
/// </summary>
public sealed class ChunkTouches : IAsyncDisposable
{
    private readonly TableClient _table;
    private readonly string _shard;
    private readonly ConcurrentDictionary<string, ETag> _etags;
    private readonly GroupCommit _commit;

    internal ChunkTouches(TableClient table, string shard, ConcurrentDictionary<string, ETag> etags)
    {
        _table = table;
        _shard = shard;
        _etags = etags;
        _commit = new GroupCommit(table);
    }

    /// <summary>Writes the user's touch log (and puts it into the user's row); false, after re-reading it into the row, when someone else wrote it first.</summary>
    public async Task<bool> TryWriteAsync(TableEntity user, IEnumerable<Touch> touches, DateTimeOffset now, CancellationToken ct)
    {
        var row = new TableEntity(_shard, user.RowKey) { [UserEntity.Touches] = TouchLog.Format(touches, now) };
        try
        {
            var response = _etags.TryGetValue(user.RowKey, out var etag)
                ? await _commit.UpdateAsync(row, etag, TableUpdateMode.Replace, ct)
                : await _commit.AddAsync(row, ct);
            user[UserEntity.Touches] = row[UserEntity.Touches];
            if (response.Headers.ETag is { } written)
            {
                _etags[user.RowKey] = written;
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // another campaign recorded a touch first: re-read, the caller re-checks the caps
            var fresh = await _table.GetEntityIfExistsAsync<TableEntity>(_shard, user.RowKey, cancellationToken: ct);
            user[UserEntity.Touches] = fresh.HasValue ? fresh.Value!.GetString(UserEntity.Touches) : null;
            if (fresh.HasValue)
            {
                _etags[user.RowKey] = fresh.Value!.ETag;
            }
            else
            {
                _etags.TryRemove(user.RowKey, out _);
            }

            return false;
        }
    }

    public ValueTask DisposeAsync() => _commit.DisposeAsync();
}
