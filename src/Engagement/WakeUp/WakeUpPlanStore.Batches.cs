using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.WakeUp;

/// <summary>
/// The sender's moves over many steps at once: one transaction per partition and 100 rows, each row still conditional on
/// its own ETag. A transaction fails whole when one row lost its race (412) or has gone (404): that slice is then done row
/// by row, so the winners are exactly the rows a single move would have moved. The cost drops from a request per step
/// to about one per hundred in the common case (no race).
/// </summary>
public sealed partial class WakeUpPlanStore
{
    /// <summary><see cref="TryClaimAsync"/> for many steps: the claimed rows, with their new ETags.</summary>
    public async Task<IReadOnlyList<WakeUpStepRow>> TryClaimManyAsync(IReadOnlyList<WakeUpStepRow> rows, string batch, DateTimeOffset at, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            Allowed(row.Step.State, WakeUpStepStates.Sending);
        }

        return await MoveManyAsync(rows, row => new TableEntity(PlanPartition(row.UserId), StepKey(row.UserId, row.PlanId, row.Step.Number))
        {
            [State] = WakeUpStepStates.Sending,
            [Batch] = batch,
            [ClaimedAt] = at,
        }, (row, etag) => row with { Step = row.Step with { State = WakeUpStepStates.Sending }, ETag = etag, Batch = batch, ClaimedAt = at },
        (row, token) => TryClaimAsync(row, batch, at, token), ct);
    }

    /// <summary><see cref="TryMoveAsync"/> for many steps: the rows moved, with their new ETags.</summary>
    public async Task<IReadOnlyList<WakeUpStepRow>> TryMoveManyAsync(IReadOnlyList<WakeUpStepRow> rows, string to, DateTimeOffset? sentAt, string? reason, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            Allowed(row.Step.State, to);
        }

        return await MoveManyAsync(rows, row =>
        {
            var update = new TableEntity(PlanPartition(row.UserId), StepKey(row.UserId, row.PlanId, row.Step.Number)) { [State] = to };
            if (sentAt is { } at)
            {
                update[SentAt] = at;
            }

            if (reason is not null)
            {
                update[Reason] = reason;
            }

            return update;
        }, (row, etag) => row with { Step = row.Step with { State = to, SentAt = sentAt ?? row.Step.SentAt, Reason = reason ?? row.Step.Reason }, ETag = etag },
        async (row, token) => await TryMoveAsync(row, to, sentAt, reason, token) ? row with { Step = row.Step with { State = to } } : null, ct);
    }

    /// <summary>
    /// Sent steps' pointers moved to the hours their local days close, as <see cref="WakeUpDueKinds.Close"/> pointers: new ones
    /// first, then the old ones dropped, with <paramref name="done"/> (other pointers a pass is done with) in the same drop.
    /// </summary>
    public async Task RefileManyAsync(IReadOnlyList<(WakeUpDue Due, WakeUpStep Step)> moves, IReadOnlyList<WakeUpDue> done, CancellationToken ct)
    {
        await FileClosePointersAsync([.. moves.Select(m => (m.Due.UserId, m.Due.PlanId, m.Step))], ct);
        await DropManyAsync([.. moves.Select(m => m.Due), .. done], ct);
    }

    /// <summary>The first half of <see cref="RefileManyAsync"/>: close pointers, packed, at the hours the steps' local days close.</summary>
    private Task FileClosePointersAsync(IReadOnlyList<(string UserId, string PlanId, WakeUpStep Step)> steps, CancellationToken ct) =>
        WritePacksAsync(PackEntities(steps, WakeUpDueKinds.Close), ct);

    /// <summary>Pack rows upserted (the same pointers make the same row), in transactions per (shard table, hour) of a few rows each.</summary>
    private async Task WritePacksAsync(IReadOnlyList<(string UserId, TableEntity Pack)> packs, CancellationToken ct)
    {
        // a transaction carries at most 4 MiB: 32 packs of at most 60 KB each stay well under it
        var slices = packs.GroupBy(p => (shards.Of(p.UserId), p.Pack.PartitionKey)).SelectMany(g => g.DistinctBy(p => p.Pack.RowKey, StringComparer.Ordinal).Chunk(32));
        await Parallel.ForEachAsync(slices, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (slice, token) =>
        {
            var table = await DueTableAsync(slice[0].UserId, token);
            await table.SubmitTransactionAsync(slice.Select(p => new TableTransactionAction(TableTransactionActionType.UpsertReplace, p.Pack)), token);
        });
    }

    /// <summary>
    /// Drops pointers. A pack's pointers come out of it: the row is rewritten with the rest, or deleted when none is left
    /// (either way without an ETag: a concurrent pass rewriting the same row from what it read can only put back pointers
    /// this one handled, whose steps have moved on, never drop one still to do). A row of one pointer (the earlier form) is
    /// deleted, in transactions per (shard table, hour). A row gone already is no error.
    /// </summary>
    public async Task DropManyAsync(IReadOnlyList<WakeUpDue> pointers, CancellationToken ct)
    {
        var packs = pointers.Where(p => p.Pack is not null).GroupBy(p => p.Pack!).ToList();
        await Parallel.ForEachAsync(packs, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (g, token) =>
        {
            var pack = g.Key;
            var gone = g.Select(p => (p.UserId, p.PlanId, p.Step, p.Kind)).ToHashSet();
            var table = await DueTableAsync(g.First().UserId, token);
            pack.Items.RemoveAll(i => gone.Contains((i.UserId, i.PlanId, i.Step, i.Kind)));

            if (pack.Items.Count == 0)
            {
                await table.DeleteEntityAsync(pack.Partition, pack.RowKey, ETag.All, token);
            }
            else
            {
                await table.UpsertEntityAsync(PackEntity(pack), TableUpdateMode.Replace, token);
            }
        });

        var slices = pointers.Where(p => p.Pack is null).GroupBy(p => (shards.Of(p.UserId), DuePartition(p.Hour)))
            .SelectMany(g => g.DistinctBy(p => StepKey(p.UserId, p.PlanId, p.Step), StringComparer.Ordinal).Chunk(100));
        await Parallel.ForEachAsync(slices, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (slice, token) =>
        {
            var table = await DueTableAsync(slice[0].UserId, token);
            try
            {
                await table.SubmitTransactionAsync(slice.Select(p => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(DuePartition(p.Hour), StepKey(p.UserId, p.PlanId, p.Step)), ETag.All)), token);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                foreach (var p in slice)
                {
                    await DropDueAsync(p, token); // a single delete of a missing entity succeeds
                }
            }
        });
    }

    private async Task<IReadOnlyList<WakeUpStepRow>> MoveManyAsync(
        IReadOnlyList<WakeUpStepRow> rows, Func<WakeUpStepRow, TableEntity> update, Func<WakeUpStepRow, ETag, WakeUpStepRow> moved,
        Func<WakeUpStepRow, CancellationToken, Task<WakeUpStepRow?>> single, CancellationToken ct)
    {
        var result = new System.Collections.Concurrent.ConcurrentBag<WakeUpStepRow>();
        var slices = rows.GroupBy(r => PlanPartition(r.UserId)).SelectMany(g => g.DistinctBy(r => StepKey(r.UserId, r.PlanId, r.Step.Number), StringComparer.Ordinal).Chunk(100));
        await Parallel.ForEachAsync(slices, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (slice, token) =>
        {
            var table = await PlansTableAsync(slice[0].UserId, token);
            try
            {
                var responses = (await table.SubmitTransactionAsync(slice.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateMerge, update(r), r.ETag)), token)).Value;
                for (var i = 0; i < slice.Length; i++)
                {
                    result.Add(moved(slice[i], responses[i].Headers.ETag ?? ETag.All));
                }
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
            {
                // someone moved one of them first: row by row, the others still move
                foreach (var row in slice)
                {
                    if (await single(row, token) is { } mine)
                    {
                        result.Add(mine);
                    }
                }
            }
        });

        return [.. result];
    }

    private static void Allowed(string from, string to)
    {
        if (!WakeUpStepTransitions.IsAllowed(from, to))
        {
            throw new InvalidOperationException($"a wake-up step does not move from '{from}' to '{to}'");
        }
    }
}
