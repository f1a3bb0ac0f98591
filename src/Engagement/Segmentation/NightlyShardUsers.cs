using Azure;
using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.Segmentation;

/// <summary>One user as the stats phase reads them: activity, registration and current standing.</summary>
public sealed record NightlyUserRow(string UserId, ActivityAggregate Activity, DateTimeOffset? RegisteredOn, RfmStanding? Standing, string? ETag);

/// <summary>
/// The users table as the nightly job reads and writes it, one shard at a time (column names are
/// <see cref="UserEntity"/>'s): one page per 1,000 users, and merges of the standing columns only.
/// </summary>
public sealed class NightlyShardUsers(StorageClients storage, RecentUsersCache cache)
{
    private static readonly string[] StandingColumns = ["PartitionKey", "RowKey", UserEntity.RScore, UserEntity.FScore, UserEntity.MScore, UserEntity.Tier];

    /// <summary>Every user of the shard, with what scoring needs (one <c>$select</c>; ingest's seen ids are left out).</summary>
    public async IAsyncEnumerable<NightlyUserRow> ReadAsync(string shard, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in QueryAsync(shard, UserEntity.NightlyColumns, ct))
        {
            yield return new NightlyUserRow(e.RowKey, UserEntity.ReadActivity(e), e.GetDateTimeOffset(UserEntity.RegisteredOn), UserEntity.ReadStanding(e), e.ETag == default ? null : e.ETag.ToString());
        }
    }

    /// <summary>The standings stored now, by user id (null: the user has none yet).</summary>
    public async Task<Dictionary<string, RfmStanding?>> ReadStandingsAsync(string shard, CancellationToken ct)
    {
        var stored = new Dictionary<string, RfmStanding?>(StringComparer.Ordinal);
        await foreach (var e in QueryAsync(shard, StandingColumns, ct))
        {
            stored[e.RowKey] = UserEntity.ReadStanding(e);
        }

        return stored;
    }

    /// <summary>
    /// Merges the standing columns of the changed users, in batches of 100. The nightly job is the only
    /// writer of these columns and ingest merges only its own, so the write need not be conditional; it
    /// is made conditional on the ETag the stats phase read so that, when nobody wrote the user since,
    /// the ingest's cached copy at that ETag can take the new one (<see cref="RecentUsersCache.Moved"/>)
    /// instead of costing a 412 and a re-read on the user's next event. A batch refused because a user
    /// changed in between (412) is written again unconditionally, and those cached copies go stale as before.
    /// </summary>
    public async Task WriteStandingsAsync(string shard, IReadOnlyList<StandingChange> changes, CancellationToken ct)
    {
        var users = await storage.TableAsync(TableNames.Users, ct);
        await Parallel.ForEachAsync(changes.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (chunk, token) =>
        {
            if (chunk.All(c => c.ETag is not null))
            {
                try
                {
                    var responses = (await users.SubmitTransactionAsync(chunk.Select(c => new TableTransactionAction(TableTransactionActionType.UpdateMerge, ToEntity(shard, c), new ETag(c.ETag!))), token)).Value;
                    for (var i = 0; i < chunk.Length && i < responses.Count; i++)
                    {
                        if (responses[i].Headers.ETag is { } after)
                        {
                            cache.Moved(shard, chunk[i].UserId, new ETag(chunk[i].ETag!), after);
                        }
                    }

                    return;
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 412)
                {
                    // a user of the batch was written since the stats read: the standings are ours alone, write them anyway
                }
            }

            await users.SubmitTransactionAsync(chunk.Select(c => new TableTransactionAction(TableTransactionActionType.UpdateMerge, ToEntity(shard, c), ETag.All)), token);
        });
    }

    private static TableEntity ToEntity(string shard, StandingChange change)
    {
        var update = new TableEntity(shard, change.UserId);
        UserEntity.WriteStanding(update, new RfmStanding(change.Scores, change.Tier, change.TierSince));
        if (change.TierSince is null)
        {
            // same tier: a merge without the column leaves the stored date alone
            update.Remove(UserEntity.TierSince);
        }

        return update;
    }

    private async IAsyncEnumerable<TableEntity> QueryAsync(string shard, IEnumerable<string> columns, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var users = await storage.TableAsync(TableNames.Users, ct);
        await foreach (var e in users.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {shard}"), maxPerPage: 1000, select: columns, cancellationToken: ct))
        {
            yield return e;
        }
    }
}
