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
    /// <summary>Puts each user's touch log into its row and returns the touch rows' ETags (for conditional writes).</summary>
    public static async Task<ConcurrentDictionary<string, ETag>> LoadAsync(TableClient touches, string shard, string from, string to, IReadOnlyDictionary<string, TableEntity> users, CancellationToken cancellationToken)
    {
        var etags = new ConcurrentDictionary<string, ETag>(StringComparer.Ordinal);
        await foreach (var row in touches.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {shard} and RowKey ge {from} and RowKey le {to}"), cancellationToken: cancellationToken))
        {
            etags[row.RowKey] = row.ETag;
            if (users.TryGetValue(row.RowKey, out var user))
            {
                user[UserEntity.Touches] = row.GetString(UserEntity.Touches);
            }
        }

        return etags;
    }
}
