using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace Engagement.Storage;

/// <summary>
/// The rows of many row keys of one partition, read by key range instead of a point read each. Row keys OR-ed in a
/// filter look cheaper but are a partition scan on the table service (its design guide says to avoid them), so: one
/// range query from the first key to the last, pages of 1000, keeping the listed keys; the keys are dense when they are
/// a sorted batch (a chunk of ids in order spans a narrow key range), and when they are not, the walk stops after a
/// page budget (a page must yield at least <see cref="MinKeysPerPage"/> keys on average) and the keys not reached are
/// point reads. A few keys are point reads straight away. A caller that knows a condition most of its rows meet (the
/// wake-up's users are in one tier) can narrow the range to the rows meeting it: for keys spread thinly over a range,
/// the pages then hold the wanted rows and few others, and a wanted row that does not meet it is read by key.
/// </summary>
public static class KeyedRowsReader
{
    /// <summary>Below this many keys, point reads (one request each) cost no more than a page.</summary>
    public const int MinKeysForRange = 8;

    /// <summary>The density a range walk must keep: listed keys per page of 1000 rows, on average.</summary>
    public const int MinKeysPerPage = 100;

    /// <summary>Point reads in flight.</summary>
    public const int PointReadParallelism = 16;

    /// <summary>The rows of <paramref name="rowKeys"/> that exist in <paramref name="partition"/>, in row key order.</summary>
    /// <param name="narrowTo">
    /// An OData condition most of the wanted rows meet (from <see cref="TableClient.CreateQueryFilter(System.FormattableString)"/>),
    /// or null: the range reads return only rows meeting it, and each wanted key they did not return is read by key.
    /// </param>
    public static async Task<IReadOnlyList<TableEntity>> ReadAsync(TableClient table, string partition, IEnumerable<string> rowKeys, IReadOnlyList<string>? select, CancellationToken ct, string? narrowTo = null)
    {
        string[] keys = [.. rowKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        select = select is null || select.Contains("RowKey") ? select : ["RowKey", .. select];
        var found = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        var reached = 0; // keys[..reached] are settled: found, or not there
        if (keys.Length >= MinKeysForRange)
        {
            var wanted = keys.ToHashSet(StringComparer.Ordinal);
            var budget = 1 + (keys.Length / MinKeysPerPage);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {keys[0]} and RowKey le {keys[^1]}")
                + (narrowTo is null ? "" : $" and ({narrowTo})");
            await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: select, cancellationToken: ct).AsPages())
            {
                foreach (var row in page.Values.Where(r => wanted.Contains(r.RowKey)))
                {
                    found[row.RowKey] = row;
                }

                if (page.ContinuationToken is null)
                {
                    reached = keys.Length;
                    break;
                }

                var last = page.Values.Count > 0 ? page.Values[^1].RowKey : null;
                reached = last is null ? reached : UpTo(keys, last);
                if (--budget == 0)
                {
                    break;
                }
            }
        }

        // past the walk's reach nothing is known; within it a key not found is not there, unless the range was narrowed
        var rest = narrowTo is null ? keys[reached..] : [.. keys.Where(k => !found.ContainsKey(k))];
        var read = new ConcurrentDictionary<string, TableEntity>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(rest, new ParallelOptions { MaxDegreeOfParallelism = PointReadParallelism, CancellationToken = ct }, async (key, token) =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, key, select, token);
            if (row.HasValue && row.Value is { } e)
            {
                read[key] = e;
            }
        });

        foreach (var (key, row) in read)
        {
            found[key] = row;
        }

        return [.. keys.Where(found.ContainsKey).Select(k => found[k])];
    }

    /// <summary>How many of the sorted <paramref name="keys"/> are at or before <paramref name="last"/>.</summary>
    private static int UpTo(string[] keys, string last)
    {
        var i = Array.BinarySearch(keys, last, StringComparer.Ordinal);
        return i >= 0 ? i + 1 : ~i;
    }
}
