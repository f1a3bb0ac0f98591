using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;

namespace Engagement.Storage;

/// <summary>
/// Group commit for single-entity inserts and updates that many concurrent flows make to one table: each
/// caller awaits its own write, while the writes waiting at the same moment go out together as
/// batch transactions (one per partition, at most 100, never the same entity twice). If a batch
/// fails (one stale ETag fails them all), its writes are retried one by one, so every caller gets
/// exactly the answer a single write would have given (a 412 included). Not for claims: a claim
/// must be decided on its own, not retried because another row of its batch was stale.
/// </summary>
public sealed class GroupCommit : IAsyncDisposable
{
    private readonly TableClient _table;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public GroupCommit(TableClient table)
    {
        _table = table;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Batch round trips made (for the benchmarks).</summary>
    public int Transactions { get; private set; }

    public Task<Response> UpdateAsync(ITableEntity entity, ETag ifMatch, TableUpdateMode mode, CancellationToken cancellationToken)
    {
        var type = mode == TableUpdateMode.Merge ? TableTransactionActionType.UpdateMerge : TableTransactionActionType.UpdateReplace;
        var pending = new Pending(new TableTransactionAction(type, entity, ifMatch), cancellationToken);
        ObjectDisposedException.ThrowIf(!_pending.Writer.TryWrite(pending), this);
        return pending.Done.Task;
    }

    /// <summary>An insert; a 409 (the entity exists) comes back to the caller as it would from a single write.</summary>
    public Task<Response> AddAsync(ITableEntity entity, CancellationToken cancellationToken)
    {
        var pending = new Pending(new TableTransactionAction(TableTransactionActionType.Add, entity), cancellationToken);
        ObjectDisposedException.ThrowIf(!_pending.Writer.TryWrite(pending), this);
        return pending.Done.Task;
    }

    private async Task LoopAsync()
    {
        while (await _pending.Reader.WaitToReadAsync())
        {
            var batch = new List<Pending>();
            while (batch.Count < 100 && _pending.Reader.TryRead(out var p))
            {
                batch.Add(p);
            }

            foreach (var partition in batch.GroupBy(p => p.Action.Entity.PartitionKey, StringComparer.Ordinal))
            {
                // one transaction may not touch an entity twice: repeats wait for the next round
                var round = partition.DistinctBy(p => p.Action.Entity.RowKey, StringComparer.Ordinal).ToList();
                foreach (var later in partition.Except(round))
                {
                    _pending.Writer.TryWrite(later);
                }

                await CommitAsync(round);
            }
        }
    }

    private async Task CommitAsync(List<Pending> writes)
    {
        if (writes.Count > 1)
        {
            try
            {
                Transactions++;
                var responses = (await _table.SubmitTransactionAsync(writes.Select(w => w.Action))).Value;
                for (var i = 0; i < writes.Count; i++)
                {
                    writes[i].Done.TrySetResult(responses[i]);
                }

                return;
            }
            catch (RequestFailedException)
            {
                // someone's ETag was stale (or the batch was refused): find out whose, one by one
            }
        }

        await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                Transactions++;
                var mode = w.Action.ActionType == TableTransactionActionType.UpdateMerge ? TableUpdateMode.Merge : TableUpdateMode.Replace;
                w.Done.TrySetResult(w.Action.ActionType == TableTransactionActionType.Add
                    ? await _table.AddEntityAsync(w.Action.Entity, w.CancellationToken)
                    : await _table.UpdateEntityAsync(w.Action.Entity, w.Action.ETag, mode, w.CancellationToken));
            }
            catch (Exception ex)
            {
                w.Done.TrySetException(ex);
            }
        }));
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _loop;
    }

    private sealed record Pending(TableTransactionAction Action, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<Response> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
