using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Segmentation;

/// <summary>A run header as read, with the ETag a move of it is conditional on.</summary>
public sealed record StoredRunHeader(NightlyRunHeader Header, ETag ETag);

/// <summary>
/// The nightly run's storage: the run headers (<c>nightlyruns</c>, PartitionKey <c>run</c>, RowKey the
/// run id), the shards' reports and snapshots (<c>nightlyshards</c>, PartitionKey the run id: RowKeys
/// <c>stats-sNN</c>, <c>result-sNN</c>, <c>snap-sNN-0000</c>...) and the fan-out on <c>nightly-shards</c>.
/// Column names are spelled here only; see docs/data-model.md.
/// </summary>
public sealed class NightlyRunStore(StorageClients storage)
{
    private const string RunPartition = "run";
    private const string StatsPrefix = "stats-";
    private const string ResultPrefix = "result-";
    private const string SnapshotPrefix = "snap-";
    private const int SnapshotRowBytes = 10 * ChunkedBinary.MaxProperty; // 640 KB: under Azure's 1 MiB entity limit with room to spare
    private const int SnapshotRowsPerTransaction = 4; // base64 on the wire: 4 x 853 KB stays under the 4 MiB transaction limit

    // nightlyruns
    private const string AsOf = "AsOf";
    private const string Phase = "Phase";
    private const string Shards = "Shards";
    private const string StartedAt = "StartedAt";
    private const string AssignStartedAt = "AssignStartedAt";
    private const string CompletedAt = "CompletedAt";
    private const string CutoffR = "CutoffR";
    private const string CutoffF = "CutoffF";
    private const string CutoffM = "CutoffM";
    private const string ScoredUsers = "ScoredUsers";
    private const string ChangedUsers = "ChangedUsers";
    private const string StorageRequests = "StorageRequests";

    // nightlyshards (Users, TierCounts and Transitions are header columns too)
    private const string Users = "Users";
    private const string TierCounts = "TierCounts";
    private const string Transitions = "Transitions";
    private const string Scored = "Scored";
    private const string Changed = "Changed";
    private const string Requests = "Requests";
    private const string DurationMs = "DurationMs";
    private const string HistR = "HistR";
    private const string HistF = "HistF";
    private const string HistM = "HistM";
    private const string SnapshotOf = "Of";
    private const string SnapshotSet = "Set";
    private const string SnapshotUsers = "Users";

    // ---------------- run headers ----------------

    /// <summary>The headers of every attempt for a date (yyyy-MM-dd, yyyy-MM-dd.2, ...).</summary>
    public async Task<List<NightlyRunHeader>> AttemptsAsync(DateOnly asOf, CancellationToken ct)
    {
        var date = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return await HeadersAsync(TableClient.CreateQueryFilter($"PartitionKey eq {RunPartition} and RowKey ge {date} and RowKey lt {date + "/"}"), ct);
    }

    /// <summary>Every run header, any date.</summary>
    public Task<List<NightlyRunHeader>> AllAsync(CancellationToken ct) =>
        HeadersAsync(TableClient.CreateQueryFilter($"PartitionKey eq {RunPartition}"), ct);

    /// <summary>The header, or null for an unknown run.</summary>
    public async Task<StoredRunHeader?> ReadAsync(string runId, CancellationToken ct)
    {
        var runs = await storage.TableAsync(TableNames.NightlyRuns, ct);
        var header = await runs.GetEntityIfExistsAsync<TableEntity>(RunPartition, runId, cancellationToken: ct);
        return header.HasValue && header.Value is not null ? new StoredRunHeader(FromEntity(header.Value), header.Value.ETag) : null;
    }

    /// <summary>The header of a run known to exist (a 404 throws).</summary>
    public async Task<StoredRunHeader> GetAsync(string runId, CancellationToken ct)
    {
        var runs = await storage.TableAsync(TableNames.NightlyRuns, ct);
        var header = (await runs.GetEntityAsync<TableEntity>(RunPartition, runId, cancellationToken: ct)).Value;
        return new StoredRunHeader(FromEntity(header), header.ETag);
    }

    /// <summary>Inserts a new run's header; false when another starter inserted that run id first.</summary>
    public async Task<bool> TryAddAsync(NightlyRunHeader header, CancellationToken ct)
    {
        var runs = await storage.TableAsync(TableNames.NightlyRuns, ct);
        try
        {
            await runs.AddEntityAsync(ToEntity(header), ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>
    /// Moves a run one phase on (<see cref="NightlyPhases.IsAllowedMove"/>), conditional on the ETag
    /// read: false when another shard moved it first.
    /// </summary>
    public async Task<bool> TryMoveAsync(StoredRunHeader current, NightlyRunHeader next, CancellationToken ct)
    {
        if (current.Header.RunId != next.RunId || !NightlyPhases.IsAllowedMove(current.Header.Phase, next.Phase))
        {
            throw new InvalidOperationException($"run {current.Header.RunId} cannot move from '{current.Header.Phase}' to '{next.Phase}' ({next.RunId})");
        }

        var runs = await storage.TableAsync(TableNames.NightlyRuns, ct);
        try
        {
            await runs.UpdateEntityAsync(ToEntity(next), current.ETag, TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    private async Task<List<NightlyRunHeader>> HeadersAsync(string filter, CancellationToken ct)
    {
        var runs = await storage.TableAsync(TableNames.NightlyRuns, ct);
        var headers = new List<NightlyRunHeader>();
        await foreach (var e in runs.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            headers.Add(FromEntity(e));
        }

        return headers;
    }

    private static TableEntity ToEntity(NightlyRunHeader h)
    {
        var e = new TableEntity(RunPartition, h.RunId)
        {
            [AsOf] = h.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            [Phase] = h.Phase,
            [Shards] = h.Shards,
            [StartedAt] = h.StartedAt,
        };
        if (h.Cutoffs is { } c)
        {
            e[CutoffR] = c.R.ToString();
            e[CutoffF] = c.F.ToString();
            e[CutoffM] = c.M.ToString();
        }

        // a phase's columns appear with it: nulls are left out
        Put(e, Users, h.Users);
        Put(e, ScoredUsers, h.ScoredUsers);
        Put(e, AssignStartedAt, h.AssignStartedAt);
        Put(e, CompletedAt, h.CompletedAt);
        Put(e, TierCounts, h.TierCounts is null ? null : TierCountsJson(h.TierCounts));
        Put(e, ChangedUsers, h.ChangedUsers);
        Put(e, Transitions, h.Transitions);
        Put(e, StorageRequests, h.StorageRequests);
        return e;
    }

    private static void Put(TableEntity e, string column, object? value)
    {
        if (value is not null)
        {
            e[column] = value;
        }
    }

    private static NightlyRunHeader FromEntity(TableEntity e) => new(
        e.RowKey,
        DateOnly.ParseExact(e.GetString(AsOf), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        e.GetString(Phase) ?? NightlyPhase.Stats,
        e.GetInt32(Shards) ?? 0,
        e.GetDateTimeOffset(StartedAt) ?? default)
    {
        AssignStartedAt = e.GetDateTimeOffset(AssignStartedAt),
        Cutoffs = e.GetString(CutoffR) is { } r && e.GetString(CutoffF) is { } f && e.GetString(CutoffM) is { } m
            ? new RfmCutoffs(QuintileCutoffs.Parse(r), QuintileCutoffs.Parse(f), QuintileCutoffs.Parse(m))
            : null,
        Users = e.GetInt64(Users),
        ScoredUsers = e.GetInt64(ScoredUsers),
        CompletedAt = e.GetDateTimeOffset(CompletedAt),
        TierCounts = e.GetString(TierCounts) is { } json ? ParseTierCounts(json) : null,
        ChangedUsers = e.GetInt64(ChangedUsers),
        Transitions = e.GetInt64(Transitions),
        StorageRequests = e.GetInt64(StorageRequests),
    };

    // ---------------- shard reports ----------------

    /// <summary>
    /// The stats row and the shard's snapshot, in transactions of <see cref="SnapshotRowsPerTransaction"/> rows;
    /// the stats row, which says "this shard reported", goes in the last one (usually with all of the snapshot).
    /// </summary>
    public async Task WriteStatsAsync(string runId, string shard, ShardStats stats, IReadOnlyList<SnapshotUser> snapshot, NightlyShardMeter meter, CancellationToken ct)
    {
        var row = new TableEntity(runId, StatsPrefix + shard)
        {
            [Users] = stats.Users,
            [Scored] = stats.Scored,
        };
        ChunkedBinary.Write(row, HistR, stats.R.ToBytes());
        ChunkedBinary.Write(row, HistF, stats.F.ToBytes());
        ChunkedBinary.Write(row, HistM, stats.M.ToBytes());
        var shardTable = await storage.TableAsync(TableNames.NightlyShards, ct);
        var batches = SnapshotRows(runId, shard, ShardSnapshot.Write(snapshot)).Append(row).Chunk(SnapshotRowsPerTransaction).ToList();
        row[DurationMs] = meter.ElapsedMs;
        row[Requests] = meter.Requests + batches.Count;
        foreach (var batch in batches)
        {
            await shardTable.SubmitTransactionAsync(batch.Select(x => new TableTransactionAction(TableTransactionActionType.UpsertReplace, x)), ct);
        }
    }

    /// <summary>Every shard's stats report, histograms included.</summary>
    public async Task<List<ShardStats>> ReadStatsAsync(string runId, CancellationToken ct) =>
        [.. (await ReadRowsAsync(runId, StatsPrefix, ct)).Select(x => new ShardStats(
            x.GetInt64(Users) ?? 0,
            x.GetInt64(Scored) ?? 0,
            ValueHistogram.FromBytes(ChunkedBinary.Read(x, HistR)),
            ValueHistogram.FromBytes(ChunkedBinary.Read(x, HistF)),
            ValueHistogram.FromBytes(ChunkedBinary.Read(x, HistM))))];

    /// <summary>The storage requests of the stats phase, all shards (reads only that column).</summary>
    public async Task<long> StatsRequestsAsync(string runId, CancellationToken ct) =>
        (await ReadRowsAsync(runId, StatsPrefix, ct, Requests)).Sum(x => x.GetInt64(Requests) ?? 0);

    /// <param name="firstReportStands">A redelivery: it finds the standings already written (0 changes), so an
    /// existing result row (the first delivery's) is kept; otherwise the row is replaced.</param>
    public async Task WriteResultAsync(string runId, string shard, ShardResult result, bool firstReportStands, NightlyShardMeter meter, CancellationToken ct)
    {
        var shardTable = await storage.TableAsync(TableNames.NightlyShards, ct);
        var row = new TableEntity(runId, ResultPrefix + shard)
        {
            [Users] = result.Users,
            [Changed] = result.Changed,
            [Transitions] = result.Transitions,
            [TierCounts] = TierCountsJson(result.TierCounts),
            [DurationMs] = meter.ElapsedMs,
        };
        row[Requests] = meter.Requests + 1;
        if (!firstReportStands)
        {
            await shardTable.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);
            return;
        }

        try
        {
            await shardTable.AddEntityAsync(row, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // the first delivery reported; its counts stand
        }
    }

    public async Task<bool> HasResultAsync(string runId, string shard, CancellationToken ct)
    {
        var shardTable = await storage.TableAsync(TableNames.NightlyShards, ct);
        return (await shardTable.GetEntityIfExistsAsync<TableEntity>(runId, ResultPrefix + shard, ["RowKey"], ct)).HasValue;
    }

    /// <summary>Every shard's result report.</summary>
    public async Task<List<ShardResult>> ReadResultsAsync(string runId, CancellationToken ct) =>
        [.. (await ReadRowsAsync(runId, ResultPrefix, ct)).Select(x => new ShardResult(
            x.GetInt64(Users) ?? 0,
            x.GetInt64(Changed) ?? 0,
            x.GetInt64(Transitions) ?? 0,
            ParseTierCounts(x.GetString(TierCounts)))
        {
            Requests = x.GetInt64(Requests) ?? 0,
        })];

    /// <summary>The shards that reported the phase: stats rows in <c>stats</c>, result rows after.</summary>
    public async Task<HashSet<string>> ReportedAsync(string runId, string phase, CancellationToken ct)
    {
        var prefix = phase == NightlyPhase.Stats ? StatsPrefix : ResultPrefix;
        return (await ReadRowsAsync(runId, prefix, ct, "RowKey")).Select(r => r.RowKey[prefix.Length..]).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<int> CountReportedAsync(string runId, string phase, CancellationToken ct) =>
        (await ReportedAsync(runId, phase, ct)).Count;

    // ---------------- snapshots ----------------

    /// <summary>The shard's snapshot, or null when it is missing or incomplete.</summary>
    public async Task<List<SnapshotUser>?> ReadSnapshotAsync(string runId, string shard, CancellationToken ct)
    {
        var rows = (await ReadRowsAsync(runId, SnapshotPrefix + shard + "-", ct)).OrderBy(x => x.RowKey, StringComparer.Ordinal).ToList();
        if (rows.Count == 0 || rows[0].GetInt32(SnapshotOf) is not { } count || rows.Count < count
            || rows.Take(count).Any(x => x.GetString(SnapshotSet) != rows[0].GetString(SnapshotSet)))
        {
            return null;
        }

        using var bytes = new MemoryStream();
        foreach (var row in rows.Take(count))
        {
            bytes.Write(ChunkedBinary.Read(row, SnapshotUsers));
        }

        return [.. ShardSnapshot.Read(bytes.ToArray())];
    }

    /// <summary>Deletes the run's snapshots (they served their purpose; the stats and result rows stay as the run's record).</summary>
    public async Task DeleteSnapshotsAsync(string runId, CancellationToken ct)
    {
        var shardTable = await storage.TableAsync(TableNames.NightlyShards, ct);
        var snapshots = await ReadRowsAsync(runId, SnapshotPrefix, ct, "PartitionKey", "RowKey");
        foreach (var batch in snapshots.Chunk(100))
        {
            await shardTable.SubmitTransactionAsync(batch.Select(x => new TableTransactionAction(TableTransactionActionType.Delete, x, ETag.All)), ct);
        }
    }

    /// <summary>Splits a snapshot over rows of at most <see cref="SnapshotRowBytes"/> (several 64 KB properties each).</summary>
    private static List<TableEntity> SnapshotRows(string runId, string shard, byte[] bytes)
    {
        // every row names the set it belongs to, so leftovers of an earlier, longer write are ignored
        var rows = new List<TableEntity>();
        var count = Math.Max(1, (bytes.Length + SnapshotRowBytes - 1) / SnapshotRowBytes);
        var set = Guid.NewGuid().ToString("N");
        for (var i = 0; i < count; i++)
        {
            var offset = i * SnapshotRowBytes;
            var row = new TableEntity(runId, SnapshotPrefix + shard + "-" + i.ToString("D4", CultureInfo.InvariantCulture))
            {
                [SnapshotOf] = count,
                [SnapshotSet] = set,
            };
            ChunkedBinary.Write(row, SnapshotUsers, bytes.AsSpan(offset, Math.Min(SnapshotRowBytes, bytes.Length - offset)).ToArray());
            rows.Add(row);
        }

        return rows;
    }

    private async Task<List<TableEntity>> ReadRowsAsync(string runId, string prefix, CancellationToken ct, params string[] select)
    {
        var table = await storage.TableAsync(TableNames.NightlyShards, ct);
        var rows = new List<TableEntity>();
        var upper = prefix[..^1] + (char)(prefix[^1] + 1);
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {runId} and RowKey ge {prefix} and RowKey lt {upper}"),
            select: select.Length == 0 ? null : select, cancellationToken: ct))
        {
            rows.Add(e);
        }

        return rows;
    }

    private static string TierCountsJson(IReadOnlyDictionary<string, long> counts) =>
        JsonSerializer.Serialize(counts as Dictionary<string, long> ?? new Dictionary<string, long>(counts), NightlyJsonContext.Default.DictionaryStringInt64);

    private static Dictionary<string, long> ParseTierCounts(string? json) =>
        JsonSerializer.Deserialize(json ?? "{}", NightlyJsonContext.Default.DictionaryStringInt64) ?? [];

    // ---------------- fan-out ----------------

    /// <summary>Sends shard work on <c>nightly-shards</c>, 8 at a time.</summary>
    public async Task EnqueueAsync(IEnumerable<NightlyShardWork> work, CancellationToken ct)
    {
        var queue = await storage.QueueAsync(QueueNames.NightlyShards, ct);
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (w, token) =>
            await queue.SendMessageAsync(JsonSerializer.Serialize(w, NightlyJsonContext.Default.NightlyShardWork), token));
    }
}
