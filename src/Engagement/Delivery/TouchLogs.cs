using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Engagement.Users;

namespace Engagement.Delivery;

/// <summary>
/// Reads a shard's touch logs (table <c>touches{shard}</c>, one row per user who was messaged) into
/// the user rows the policies look at. Kept apart from the users table, which holds every user:
/// Azurite's cost per update grows with a table's rows, and touch logs are updated on every send.
/// </summary>
public static class TouchLogs
{
    /// <summary>The shard's touch rows (all, or the users in [from, to]): each user's touch log and its row's ETag.</summary>
    public static async Task<Dictionary<string, (string? Touches, ETag ETag)>> ReadAsync(TableClient touches, string shard, string? from, string? to, CancellationToken cancellationToken)
    {
        var filter = from is null || to is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {shard}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {shard} and RowKey ge {from} and RowKey le {to}");
        var logs = new Dictionary<string, (string?, ETag)>(StringComparer.Ordinal);
        await foreach (var row in touches.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            logs[row.RowKey] = (row.GetString(UserEntity.Touches), row.ETag);
        }

        return logs;
    }

    /// <summary>Puts each user's touch log into its row and returns the touch rows' ETags (for conditional writes).</summary>
    public static async Task<ConcurrentDictionary<string, ETag>> LoadAsync(TableClient touches, string shard, string from, string to, IReadOnlyDictionary<string, TableEntity> users, CancellationToken cancellationToken)
    {
        var etags = new ConcurrentDictionary<string, ETag>(StringComparer.Ordinal);
        foreach (var (userId, (log, etag)) in await ReadAsync(touches, shard, from, to, cancellationToken))
        {
            etags[userId] = etag;
            if (users.TryGetValue(userId, out var user))
            {
                user[UserEntity.Touches] = log;
            }
        }

        return etags;
    }
}
