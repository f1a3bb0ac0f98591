using System.Globalization;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Segmentation;

/// <summary>Reads the tier-transition log (PartitionKey yyyyMMdd-shard, RowKey user id).</summary>
public sealed class TierTransitionLog(StorageClients storage)
{
    /// <summary>Counts of (from, to) moves recorded for an as-of date; "" as from means a first tier.</summary>
    public async Task<IReadOnlyDictionary<(string From, string To), long>> MovementsAsync(DateOnly asOf, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.TierTransitions, cancellationToken);
        var day = asOf.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var counts = new Dictionary<(string, string), long>();
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey ge {day + "-"} and PartitionKey lt {day + "."}"), maxPerPage: 1000, select: ["From", "To"], cancellationToken: cancellationToken))
        {
            var key = (e.GetString("From") ?? "", e.GetString("To") ?? "");
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }
}
