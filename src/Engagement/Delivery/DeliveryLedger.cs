using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Delivery;

/// <summary>What a conditional ledger write did: <paramref name="Moved"/> false when someone else changed the row first; <paramref name="Row"/> is the row as written (with its new ETag), or as it was.</summary>
public sealed record MoveResult(bool Moved, DeliveryRow Row);

/// <summary>
/// The ledger, one table per shard (<c>deliveries{shard}</c>, see <see cref="TableNames.DeliveriesOf"/>): PartitionKey <c>{campaignId}_{shard}</c> (a campaign's recipients in
/// one shard, written and read in batches), RowKey <c>{channel}|{occurrence}|{userId}</c> — the
/// delivery key, so a replayed plan finds its rows instead of making new ones. The one owner of the table:
/// rows are only ever added here (<see cref="PlanAsync"/>), and every state change is an ETag-conditional
/// <see cref="TryMoveAsync"/> checked against <see cref="DeliveryTransitions"/> (see docs/decisions.md).
/// The column names live in this file only (<see cref="Columns"/>).
/// </summary>
public sealed class DeliveryLedger(StorageClients storage, TimeProvider time)
{
    /// <summary>Adds the rows that do not exist yet; existing rows (any state) are left alone. Returns how many were added.</summary>
    public async Task<int> PlanAsync(string shard, IReadOnlyList<(DeliveryKey Key, string State, string? Reason)> rows, CancellationToken cancellationToken)
    {
        var table = await TableAsync(shard, cancellationToken);
        var now = time.GetUtcNow();
        var added = 0;
        foreach (var chunk in rows.Chunk(100))
        {
            var entities = chunk.Select(r => ToEntity(new DeliveryRow
            {
                PartitionKey = r.Key.PartitionKey(shard),
                RowKey = r.Key.RowKey,
                CampaignId = r.Key.CampaignId,
                UserId = r.Key.UserId,
                Channel = r.Key.Channel,
                Occurrence = r.Key.Occurrence,
                State = r.State,
                Reason = r.Reason,
                PlannedAt = now,
            })).ToList();
            try
            {
                await table.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken);
                added += entities.Count;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                // a replay: some rows exist already (and may have moved on); add only the missing ones
                foreach (var e in entities)
                {
                    try
                    {
                        await table.AddEntityAsync(e, cancellationToken);
                        added++;
                    }
                    catch (RequestFailedException one) when (one.Status == 409)
                    {
                    }
                }
            }
        }

        return added;
    }

    /// <summary>
    /// Moves <paramref name="row"/> to <paramref name="moved"/> (the same row with its new state and whatever else changed),
    /// conditional on the row's ETag. A single-entity write, or through <paramref name="batch"/>'s group commit (outcomes
    /// of concurrent recipients share batch transactions; claims stay single writes, as Azurite enforces If-Match only
    /// outside batches). A move <see cref="DeliveryTransitions"/> refuses throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public Task<MoveResult> TryMoveAsync(DeliveryRow row, DeliveryRow moved, CancellationToken cancellationToken, Batch? batch = null)
    {
        DeliveryTransitions.EnsureAllowed(row.State, moved.State);
        return TryWriteAsync(row, moved, batch, cancellationToken);
    }

    /// <summary>Records the provider's delivery status on a row whose state does not change (conditional on its ETag).</summary>
    public Task<MoveResult> TryRecordProviderStatusAsync(DeliveryRow row, string status, DateTimeOffset at, string? error, CancellationToken cancellationToken) =>
        TryWriteAsync(row, row with { ProviderStatus = status, ProviderStatusAt = at, ProviderError = error ?? row.ProviderError }, null, cancellationToken);

    /// <summary>A group commit on one shard's ledger table, for one chunk's outcome writes.</summary>
    public async Task<Batch> OpenBatchAsync(string shard, CancellationToken cancellationToken)
    {
        var table = await TableAsync(shard, cancellationToken);
        return new Batch(table, new GroupCommit(table));
    }

    /// <summary>One delivery by its key parts; null when there is no such row.</summary>
    public async Task<DeliveryRow?> FindAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var table = await TableAsync(DeliveryKey.ShardOf(partitionKey), cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return found.HasValue && found.Value is { } e ? ToRow(e) : null;
    }

    /// <summary>The rows of one chunk: each channel's rows of this occurrence for the users in [from, to].</summary>
    public async Task<List<DeliveryRow>> ChunkRowsAsync(string campaignId, string shard, IEnumerable<string> channels, int occurrence, string from, string to, CancellationToken cancellationToken)
    {
        var table = await TableAsync(shard, cancellationToken);
        var partition = DeliveryKey.PartitionOf(campaignId, shard);
        var rows = new List<DeliveryRow>();
        foreach (var channel in channels)
        {
            var prefix = DeliveryKey.RowKeyPrefix(channel, occurrence);
            await foreach (var e in table.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix + from} and RowKey le {prefix + to}"), cancellationToken: cancellationToken))
            {
                rows.Add(ToRow(e));
            }
        }

        return rows;
    }

    /// <summary>The users of one shard with a delivery of the campaign still <c>planned</c> or <c>sending</c>, sorted.</summary>
    public async Task<SortedSet<string>> OpenUserIdsAsync(string campaignId, string shard, CancellationToken cancellationToken)
    {
        var table = await TableAsync(shard, cancellationToken);
        var open = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryKey.PartitionOf(campaignId, shard)}") + $" and ({StateIs(DeliveryStates.Planned)} or {StateIs(DeliveryStates.Sending)})",
            select: [Columns.UserId], cancellationToken: cancellationToken))
        {
            open.Add(e.GetString(Columns.UserId)!);
        }

        return open;
    }

    /// <summary>The campaign's <c>unknown</c> rows in one shard.</summary>
    public async IAsyncEnumerable<DeliveryRow> UnknownRowsAsync(string campaignId, string shard, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await TableAsync(shard, cancellationToken);
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryKey.PartitionOf(campaignId, shard)}") + " and " + StateIs(DeliveryStates.Unknown), cancellationToken: cancellationToken))
        {
            yield return ToRow(e);
        }
    }

    /// <summary>Every ledger row of a campaign (all shards), for measures, tests and tools.</summary>
    public async Task<List<DeliveryRow>> RowsAsync(string campaignId, IEnumerable<string> shards, CancellationToken cancellationToken)
    {
        var rows = new List<DeliveryRow>();
        foreach (var shard in shards)
        {
            var table = await TableAsync(shard, cancellationToken);
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryKey.PartitionOf(campaignId, shard)}"), cancellationToken: cancellationToken))
            {
                rows.Add(ToRow(e));
            }
        }

        return rows;
    }

    /// <summary>
    /// The rows of every campaign whose id starts with <paramref name="campaignPrefix"/> (a weekly content run's, one per
    /// item and chunk): one partition-key range query per shard table, the keys, user, channel, state and time columns only.
    /// </summary>
    public async Task<List<DeliveryRow>> RowsOfPrefixAsync(string campaignPrefix, IEnumerable<string> shards, CancellationToken cancellationToken)
    {
        // partitions are {campaignId}_{shard}: the prefix's range ends where the prefix's last character is one higher
        var end = campaignPrefix[..^1] + (char)(campaignPrefix[^1] + 1);
        var perShard = await Task.WhenAll(shards.Select(async shard =>
        {
            var table = await TableAsync(shard, cancellationToken);
            var rows = new List<DeliveryRow>();
            await foreach (var e in table.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey ge {campaignPrefix} and PartitionKey lt {end}"),
                maxPerPage: 1000, select: ["PartitionKey", "RowKey", Columns.CampaignId, Columns.UserId, Columns.Channel, Columns.State, Columns.UpdatedAt], cancellationToken: cancellationToken))
            {
                rows.Add(ToRow(e));
            }

            return rows;
        }));
        return [.. perShard.SelectMany(r => r)];
    }

    /// <summary>Counts a campaign's deliveries by channel, state and reason.</summary>
    public async Task<IReadOnlyDictionary<(string Channel, string State, string Reason), long>> CountAsync(string campaignId, IEnumerable<string> shards, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string, string, string), long>();
        foreach (var shard in shards)
        {
            var table = await TableAsync(shard, cancellationToken);
            await foreach (var e in table.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryKey.PartitionOf(campaignId, shard)}"), select: [Columns.Channel, Columns.State, Columns.Reason], cancellationToken: cancellationToken))
            {
                var key = (e.GetString(Columns.Channel) ?? "", e.GetString(Columns.State) ?? "", e.GetString(Columns.Reason) ?? "");
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return counts;
    }

    /// <summary>The conditional write behind every change, named by a fresh <see cref="DeliveryRow.WriteId"/>.</summary>
    private async Task<MoveResult> TryWriteAsync(DeliveryRow row, DeliveryRow changed, Batch? batch, CancellationToken ct)
    {
        if (changed.PartitionKey != row.PartitionKey || changed.RowKey != row.RowKey)
        {
            throw new ArgumentException($"a write of {row.Id} cannot change its key", nameof(changed));
        }

        var table = batch?.Table ?? await TableAsync(row.Shard, ct);
        var written = changed with { WriteId = Guid.NewGuid().ToString("N") };
        var entity = ToEntity(written);
        try
        {
            var response = batch is null
                ? await table.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Replace, ct)
                : await batch.Commit.UpdateAsync(entity, row.ETag, TableUpdateMode.Replace, ct);
            return new MoveResult(true, written with { ETag = response.Headers.ETag ?? row.ETag });
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // an SDK retry of our own write can answer 412 although it landed: look before calling it a conflict
            var current = await table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct);
            return WriteConflict.IsOurOwn(current.Value.GetString(Columns.WriteId), written.WriteId!)
                ? new MoveResult(true, written with { ETag = current.Value.ETag })
                : new MoveResult(false, row);
        }
    }

    private static string StateIs(string state) => Columns.State + " eq " + TableClient.CreateQueryFilter($"{state}");

    private Task<TableClient> TableAsync(string shard, CancellationToken ct) => storage.TableAsync(TableNames.DeliveriesOf(shard), ct);

    private static DeliveryRow ToRow(TableEntity e) => new()
    {
        PartitionKey = e.PartitionKey,
        RowKey = e.RowKey,
        ETag = e.ETag,
        CampaignId = e.GetString(Columns.CampaignId) ?? "",
        UserId = e.GetString(Columns.UserId) ?? "",
        Channel = e.GetString(Columns.Channel) ?? "",
        Occurrence = e.GetInt32(Columns.Occurrence) ?? 1,
        State = e.GetString(Columns.State) ?? "",
        Reason = e.GetString(Columns.Reason),
        PlannedAt = e.GetDateTimeOffset(Columns.PlannedAt),
        ClaimedAt = e.GetDateTimeOffset(Columns.ClaimedAt),
        UpdatedAt = e.GetDateTimeOffset(Columns.UpdatedAt),
        To = e.GetString(Columns.To),
        Body = e.GetString(Columns.Body),
        ProviderId = e.GetString(Columns.ProviderId),
        ProviderStatus = e.GetString(Columns.ProviderStatus),
        ProviderStatusAt = e.GetDateTimeOffset(Columns.ProviderStatusAt),
        ProviderError = e.GetString(Columns.ProviderError),
        SettledBy = e.GetString(Columns.SettledBy),
        WriteId = e.GetString(Columns.WriteId),
    };

    /// <summary>The whole row (writes replace it, so an absent value is an absent column).</summary>
    private static TableEntity ToEntity(DeliveryRow r)
    {
        var e = new TableEntity(r.PartitionKey, r.RowKey)
        {
            [Columns.CampaignId] = r.CampaignId,
            [Columns.UserId] = r.UserId,
            [Columns.Channel] = r.Channel,
            [Columns.Occurrence] = r.Occurrence,
            [Columns.State] = r.State,
        };
        Set(Columns.Reason, r.Reason);
        Set(Columns.PlannedAt, r.PlannedAt);
        Set(Columns.ClaimedAt, r.ClaimedAt);
        Set(Columns.UpdatedAt, r.UpdatedAt);
        Set(Columns.To, r.To);
        Set(Columns.Body, r.Body);
        Set(Columns.ProviderId, r.ProviderId);
        Set(Columns.ProviderStatus, r.ProviderStatus);
        Set(Columns.ProviderStatusAt, r.ProviderStatusAt);
        Set(Columns.ProviderError, r.ProviderError);
        Set(Columns.SettledBy, r.SettledBy);
        Set(Columns.WriteId, r.WriteId);
        return e;

        void Set(string column, object? value)
        {
            if (value is not null)
            {
                e[column] = value;
            }
        }
    }

    /// <summary>The ledger's column names: here and nowhere else.</summary>
    private static class Columns
    {
        public const string CampaignId = "CampaignId";
        public const string UserId = "UserId";
        public const string Channel = "Channel";
        public const string Occurrence = "Occurrence";
        public const string State = "State";
        public const string Reason = "Reason";
        public const string PlannedAt = "PlannedAt";
        public const string ClaimedAt = "ClaimedAt";
        public const string UpdatedAt = "UpdatedAt";
        public const string To = "To";
        public const string Body = "Body";
        public const string ProviderId = "ProviderId";
        public const string ProviderStatus = "ProviderStatus";
        public const string ProviderStatusAt = "ProviderStatusAt";
        public const string ProviderError = "ProviderError";
        public const string SettledBy = "SettledBy";
        public const string WriteId = "WriteId";
    }

    /// <summary>One shard's ledger table with a group commit, for one chunk's outcome writes.</summary>
    public sealed class Batch : IAsyncDisposable
    {
        internal Batch(TableClient table, GroupCommit commit)
        {
            Table = table;
            Commit = commit;
        }

        internal TableClient Table { get; }

        internal GroupCommit Commit { get; }

        public ValueTask DisposeAsync() => Commit.DisposeAsync();
    }
}
