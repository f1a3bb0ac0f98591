using System.Globalization;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.WakeUp;

/// <summary>The send pass's reads of step rows: one range query per shard partition, not a point read per pointer.</summary>
public sealed partial class WakeUpPlanStore
{
    /// <summary>
    /// The step rows behind <paramref name="pointers"/> that the pass may move, with their ETags: one query per plan partition
    /// (shard) over the pointers' key range, keeping the steps <c>due</c> or <c>sending</c> whose send instant is between
    /// <paramref name="from"/>'s hour and <paramref name="now"/>, and the steps <c>sent</c> whose local day closed in that
    /// time. A pointer whose step is not among them needs no move from this list: a close pointer's step left <c>sent</c>
    /// (completed, or missed by another pass); a send pointer's step is read alone (sent before a crash, closed, not written yet).
    /// </summary>
    public async Task<IReadOnlyDictionary<(string UserId, string PlanId, int Step), WakeUpStepRow>> MovableStepsAsync(
        IReadOnlyCollection<WakeUpDue> pointers, DateTimeOffset from, DateTimeOffset now, CancellationToken ct)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<(string, string, int), WakeUpStepRow>();
        var since = Hour(from);
        var partitions = pointers.GroupBy(p => PlanPartition(p.UserId)).Select(g =>
        {
            var keys = g.Select(p => StepKey(p.UserId, p.PlanId, p.Step)).Order(StringComparer.Ordinal).ToList();
            return (Partition: g.Key, g.First().UserId, First: keys[0], Last: keys[^1]);
        });
        await Parallel.ForEachAsync(partitions, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (p, token) =>
        {
            var table = await PlansTableAsync(p.UserId, token);
            // the column names as in StepEntity (State, SendAt, ClosesAt); the upper bound before the lower one: most steps of
            // the range are due later, and an `and` stops at its first false term (Azurite's evaluator does)
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {p.Partition} and RowKey ge {p.First} and RowKey le {p.Last} and (((State eq {WakeUpStepStates.Due} or State eq {WakeUpStepStates.Sending}) and SendAt le {now} and SendAt ge {since}) or (State eq {WakeUpStepStates.Sent} and ClosesAt le {now} and ClosesAt ge {since}))");
            await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: token))
            {
                var parts = e.RowKey.Split('|');
                if (parts.Length == 3)
                {
                    var step = int.Parse(parts[2], CultureInfo.InvariantCulture);
                    found[(parts[0], parts[1], step)] = ReadStep(e, parts[0], parts[1], step);
                }
            }
        });

        return found;
    }

    /// <summary>The plan rows (without their steps) of <paramref name="keys"/> that exist, read by key range per shard partition (<see cref="KeyedRowsReader"/>).</summary>
    public async Task<IReadOnlyDictionary<(string UserId, string PlanId), WakeUpPlanRow>> PlanRowsAsync(IReadOnlyCollection<(string UserId, string PlanId)> keys, CancellationToken ct)
    {
        foreach (var (userId, _) in keys)
        {
            CheckKey(userId);
        }

        var found = new System.Collections.Concurrent.ConcurrentDictionary<(string, string), WakeUpPlanRow>();
        await Parallel.ForEachAsync(keys.GroupBy(k => PlanPartition(k.UserId)), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (partition, token) =>
        {
            var table = await PlansTableAsync(partition.First().UserId, token);
            foreach (var e in await KeyedRowsReader.ReadAsync(table, partition.Key, partition.Select(k => k.UserId + "|" + k.PlanId), null, token))
            {
                var parts = e.RowKey.Split('|');
                found[(parts[0], parts[1])] = ReadPlan(e, parts[0], parts[1]);
            }
        });

        return found;
    }
}
