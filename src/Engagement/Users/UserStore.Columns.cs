using System.Collections.Concurrent;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Users;

/// <summary>A few columns of many users, read together instead of a point read each.</summary>
public sealed partial class UserStore
{
    /// <summary>
    /// <paramref name="columns"/> of each of <paramref name="userIds"/> that has a row (keyed by user id; a user without a
    /// row is absent): per shard, a range read over the ids' key range with only those columns selected
    /// (<see cref="KeyedRowsReader"/>), so a pass over thousands of users in id order costs a few pages.
    /// </summary>
    /// <param name="narrowTo">A condition most of the users meet (<see cref="KeyedRowsReader.ReadAsync"/>), or null.</param>
    public async Task<IReadOnlyDictionary<string, TableEntity>> ColumnsOfAsync(IReadOnlyCollection<string> userIds, IReadOnlyList<string> columns, CancellationToken cancellationToken, string? narrowTo = null)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        var found = new ConcurrentDictionary<string, TableEntity>(StringComparer.Ordinal);
        string[] select = ["RowKey", .. columns];
        await Parallel.ForEachAsync(userIds.GroupBy(shards.Of), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (shard, ct) =>
        {
            foreach (var e in await KeyedRowsReader.ReadAsync(table, shard.Key, shard, select, ct, narrowTo))
            {
                found[e.RowKey] = e;
            }
        });

        return found;
    }

    /// <summary>
    /// <paramref name="columns"/> of every user in <paramref name="tier"/>: one query per shard filtered by the tier column
    /// (pages of 1000, only those columns selected), shards side by side. For a pass over a tier, not for a few users.
    /// </summary>
    public async Task<IReadOnlyList<TableEntity>> ColumnsOfTierAsync(string tier, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        var found = new ConcurrentBag<TableEntity>();
        string[] select = ["RowKey", .. columns];
        await Parallel.ForEachAsync(shards.All, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (shard, ct) =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {shard} and Tier eq {tier}"); // Tier: UserEntity.Tier
            await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: select, cancellationToken: ct))
            {
                found.Add(e);
            }
        });

        return [.. found];
    }
}
