using System.Globalization;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Segmentation;

/// <summary>
/// The tier-transition log: PartitionKey yyyyMMdd-shard (one batch partition per shard and night),
/// RowKey user id; <c>From</c> ("" for a first tier), <c>To</c>, <c>Scores</c>, <c>AsOf</c>, <c>RunId</c>.
/// </summary>
public sealed class TierTransitionLog(StorageClients storage)
{
    private const string From = "From";
    private const string To = "To";
    private const string Scores = "Scores";
    private const string AsOf = "AsOf";
    private const string RunId = "RunId";

    /// <summary>
    /// Records a shard's transitions of one night, in batches of 100. Upserts: a retried shard
    /// re-derives the same transitions from the same standings, so writing them again is harmless.
    /// </summary>
    public async Task WriteAsync(DateOnly asOf, string shard, string runId, IReadOnlyList<TierTransition> transitions, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.TierTransitions, cancellationToken);
        var partition = asOf.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + shard;
        var asOfText = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await Parallel.ForEachAsync(transitions.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, token) =>
            await table.SubmitTransactionAsync(chunk.Select(t => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, t.UserId)
            {
                [From] = t.From,
                [To] = t.To,
                [Scores] = t.Scores.ToString(),
                [AsOf] = asOfText,
                [RunId] = runId,
            })), token));
    }

    /// <summary>A shard's transitions of one night, in user id order (the wake-up plan starts from them).</summary>
    public async Task<IReadOnlyList<TierTransition>> ReadAsync(DateOnly asOf, string shard, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.TierTransitions, cancellationToken);
        var partition = asOf.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + shard;
        var result = new List<TierTransition>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), maxPerPage: 1000, select: ["RowKey", From, To], cancellationToken: cancellationToken))
        {
            result.Add(new TierTransition(e.RowKey, e.GetString(From) ?? "", e.GetString(To) ?? "", default));
        }

        return result;
    }

    /// <summary>Counts of (from, to) moves recorded for an as-of date; "" as from means a first tier.</summary>
    public async Task<IReadOnlyDictionary<(string From, string To), long>> MovementsAsync(DateOnly asOf, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.TierTransitions, cancellationToken);
        var day = asOf.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var counts = new Dictionary<(string, string), long>();
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey ge {day + "-"} and PartitionKey lt {day + "."}"), maxPerPage: 1000, select: [From, To], cancellationToken: cancellationToken))
        {
            var key = (e.GetString(From) ?? "", e.GetString(To) ?? "");
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }
}
