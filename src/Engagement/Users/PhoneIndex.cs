using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Users;

/// <summary>
/// Which users have a phone number, for inbound SMS (a STOP names a number, not a user). Rows in the
/// <c>phones</c> table: PartitionKey the number's hash shard (so an import writes batches, not one
/// request per user), RowKey <c>{e164}|{userId}</c>. Written with every profile that has a number and
/// never deleted: a number that moved to another user leaves a stale row, so readers check the
/// user's current number (<see cref="UsersWithAsync"/> does).
/// </summary>
public sealed class PhoneIndex(StorageClients storage, UserShards shards)
{
    public async Task AddAsync(IEnumerable<(string UserId, string Phone)> entries, int parallelism, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Phones, cancellationToken);
        var batches = entries
            .Select(e => new TableEntity(shards.Of(e.Phone), e.Phone + "|" + e.UserId) { ["UserId"] = e.UserId })
            .DistinctBy(e => (e.PartitionKey, e.RowKey))
            .GroupBy(e => e.PartitionKey)
            .SelectMany(g => g.Chunk(100));
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (batch, ct) =>
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct));
    }

    /// <summary>The users whose profile has this number now (E.164), read from the users table.</summary>
    public async Task<IReadOnlyList<string>> UsersWithAsync(string phone, CancellationToken cancellationToken)
    {
        var index = await storage.TableAsync(TableNames.Phones, cancellationToken);
        var candidates = new List<string>();
        await foreach (var row in index.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {shards.Of(phone)} and RowKey gt {phone + "|"} and RowKey lt {phone + "}"}"),
            select: ["UserId"], cancellationToken: cancellationToken))
        {
            candidates.Add(row.GetString("UserId")!);
        }

        var users = await storage.TableAsync(TableNames.Users, cancellationToken);
        var current = new List<string>();
        foreach (var userId in candidates)
        {
            var user = await users.GetEntityIfExistsAsync<TableEntity>(shards.Of(userId), userId, [UserEntity.Phone], cancellationToken);
            if (user.HasValue && user.Value?.GetString(UserEntity.Phone) == phone)
            {
                current.Add(userId);
            }
        }

        return current;
    }
}
