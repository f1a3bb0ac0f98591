using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Users;

/// <summary>Columns that capabilities above the ingest keep on the user row so the ingest sees them in its one read.</summary>
public sealed partial class UserStore
{
    private static readonly HashSet<string> FollowUpColumns = [UserEntity.Level, UserEntity.OpenTask, UserEntity.WakeUpPlan, UserEntity.ContentSent];

    /// <summary>
    /// Sets <paramref name="column"/> (<see cref="UserEntity.Level"/>, <see cref="UserEntity.OpenTask"/>, <see cref="UserEntity.WakeUpPlan"/> or <see cref="UserEntity.ContentSent"/>) on existing users: a merge
    /// of that column only, whatever the row's ETag (no other writer owns it), 100 users of a shard per request. A user without a
    /// row is skipped, not created.
    /// </summary>
    public async Task SetColumnAsync(string column, IReadOnlyCollection<(string UserId, object Value)> values, CancellationToken cancellationToken)
    {
        if (!FollowUpColumns.Contains(column))
        {
            throw new ArgumentException($"'{column}' is not a follow-up column", nameof(column));
        }

        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        var batches = values.GroupBy(v => shards.Of(v.UserId))
            .SelectMany(g => g.GroupBy(v => v.UserId, StringComparer.Ordinal).Select(u => u.Last()).Chunk(100));
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            var entities = batch.Select(v => new TableEntity(shards.Of(v.UserId), v.UserId) { [column] = v.Value }).ToList();
            try
            {
                await table.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateMerge, e, ETag.All)), ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // a user has no row (removed): the others one by one
                foreach (var e in entities)
                {
                    try
                    {
                        await table.UpdateEntityAsync(e, ETag.All, TableUpdateMode.Merge, ct);
                    }
                    catch (RequestFailedException missing) when (missing.Status == 404)
                    {
                    }
                }
            }
        });
    }
}
