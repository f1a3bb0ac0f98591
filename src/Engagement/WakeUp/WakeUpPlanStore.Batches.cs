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
    /// Sent steps' pointers moved to the hours their local days close, as <see cref="WakeUpDueKinds.Close"/> pointers (new ones
    /// first, then the old ones dropped; one closing in its send hour is rewritten in place), in transactions per hour.
    /// </summary>
    public async Task RefileManyAsync(IReadOnlyList<(WakeUpDue Due, WakeUpStep Step)> moves, CancellationToken ct)
    {
        await FileClosePointersAsync([.. moves.Select(m => (m.Due.UserId, m.Due.PlanId, m.Step))], ct);
        await DropSendPointersAsync(moves, ct);
    }

    /// <summary>The first half of <see cref="RefileManyAsync"/>: close pointers (upserts) at the hours the steps' local days close.</summary>
    public async Task FileClosePointersAsync(IReadOnlyList<(string UserId, string PlanId, WakeUpStep Step)> steps, CancellationToken ct)
    {
        await UpsertPointersAsync([.. steps.Select(s => (s.UserId, PointerEntity(s.UserId, s.PlanId, s.Step, WakeUpDueKinds.Close)))], ct);
    }

    /// <summary>Pointer rows upserted, in transactions per (shard table, hour) of up to 100.</summary>
    private async Task UpsertPointersAsync(IReadOnlyList<(string UserId, TableEntity Pointer)> pointers, CancellationToken ct)
    {
        var slices = pointers.GroupBy(p => (shards.Of(p.UserId), p.Pointer.PartitionKey))
            .SelectMany(g => g.DistinctBy(p => p.Pointer.RowKey, StringComparer.Ordinal).Chunk(100));
        await Parallel.ForEachAsync(slices, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (slice, token) =>
        {
            var table = await DueTableAsync(slice[0].UserId, token);
            await table.SubmitTransactionAsync(slice.Select(p => new TableTransactionAction(TableTransactionActionType.UpsertReplace, p.Pointer)), token);
        });
    }

    /// <summary>The second half of <see cref="RefileManyAsync"/>: the send pointers go, except one whose close pointer took its place.</summary>
    public Task DropSendPointersAsync(IReadOnlyList<(WakeUpDue Due, WakeUpStep Step)> moves, CancellationToken ct) =>
        DropManyAsync([.. moves.Where(m => Hour(m.Step.Time.ClosesAt) != m.Due.Hour).Select(m => m.Due)], ct);

    /// <summary>Drops pointers, in transactions per (shard table, hour); a pointer gone already is no error.</summary>
    public async Task DropManyAsync(IReadOnlyList<WakeUpDue> pointers, CancellationToken ct)
    {
        var slices = pointers.GroupBy(p => (shards.Of(p.UserId), DuePartition(p.Hour))).SelectMany(g => g.DistinctBy(p => StepKey(p.UserId, p.PlanId, p.Step), StringComparer.Ordinal).Chunk(100));
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
