using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Content;

/// <summary>
/// The <c>contentruns</c> table (rows: <see cref="ContentRunRows"/>): each weekly run's header and every user's pick,
/// written before anything is handed off. A pick is written with upsert-replace, so recording the same pick again (a
/// resume that re-derives it) changes nothing; the run never rewrites a recorded user with another item.
/// </summary>
public sealed class ContentRunStore(StorageClients storage, UserShards shards)
{
    public async Task<ContentRunHeader?> HeaderAsync(string runId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.ContentRuns, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(runId, ContentRunRows.HeaderRow, cancellationToken: ct);
        return row.HasValue ? ContentRunRows.HeaderOf(row.Value!) : null;
    }

    /// <summary>Writes the header whole (a run starting, or done with its counts).</summary>
    public async Task SetHeaderAsync(ContentRunHeader header, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.ContentRuns, ct);
        await table.UpsertEntityAsync(ContentRunRows.ToEntity(header), TableUpdateMode.Replace, ct);
    }

    /// <summary>Every pick recorded for the run, by user id (one partition-key range query).</summary>
    public async Task<IReadOnlyDictionary<string, ContentRunPick>> PicksAsync(string runId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.ContentRuns, ct);
        var picks = new Dictionary<string, ContentRunPick>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(ContentRunRows.PicksFilter(runId), maxPerPage: 1000, cancellationToken: ct))
        {
            picks[e.RowKey] = ContentRunRows.PickOf(e);
        }

        return picks;
    }

    /// <summary>One user's pick in the run, or null (one point read).</summary>
    public async Task<ContentRunPick?> PickAsync(string runId, string userId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.ContentRuns, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(ContentRunRows.PicksPartition(runId, shards.Of(userId)), userId, cancellationToken: ct);
        return row.HasValue ? ContentRunRows.PickOf(row.Value!) : null;
    }

    /// <summary>Records picks, 100 of a shard a transaction, shards side by side.</summary>
    public async Task RecordAsync(string runId, IReadOnlyCollection<ContentRunPick> picks, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.ContentRuns, ct);
        var batches = picks.GroupBy(p => shards.Of(p.UserId)).SelectMany(g => g.Select(p => (Shard: g.Key, Pick: p)).Chunk(100));
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (batch, token) =>
            await table.SubmitTransactionAsync(
                batch.Select(b => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ContentRunRows.ToEntity(ContentRunRows.PicksPartition(runId, b.Shard), b.Pick))), token));
    }
}
