using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Messaging;
using Engagement.Storage;
using Engagement.Telemetry;
using Engagement.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Segmentation;

public enum NightlyStartMode
{
    /// <summary>Start a run for the date unless one exists; an unfinished one is resumed (the timer's mode).</summary>
    StartOrResume,

    /// <summary>Always start a new attempt for the date (operators re-running a night).</summary>
    NewAttempt,
}

/// <summary>
/// The nightly RFM run, as queue-driven steps so many instances share it:
/// <list type="number">
/// <item><see cref="StartAsync"/> writes the run header and enqueues one <c>stats</c> message per shard;</item>
/// <item>each shard reads its users once and reports exact R/F/M histograms; the shard that completes
/// the set merges them into global quintile cut-offs and enqueues one <c>assign</c> message per shard;</item>
/// <item>each shard reads its users again, scores and tiers them, and writes only users whose scores or tier
/// changed (batch transactions), plus a transition row per tier change; the shard that completes the set
/// writes the run summary.</item>
/// </list>
/// Every step is idempotent, so a crashed shard is simply retried by the queue and a re-run of the same
/// night writes nothing. Run ids are the as-of date (yyyy-MM-dd), then yyyy-MM-dd.2, .3 for re-runs.
/// </summary>
public sealed partial class NightlyJob(
    StorageClients storage,
    UserShards shards,
    ActivityCalendar calendar,
    TierClassifier classifier,
    IOptions<SegmentationOptions> options,
    TimeProvider time,
    EngagementTelemetry telemetry,
    ILogger<NightlyJob> log)
{
    private const string RunPartition = "run";
    private const string StatsPrefix = "stats-";
    private const string ResultPrefix = "result-";
    private const string SnapshotPrefix = "snap-";
    private const int SnapshotRowBytes = 10 * MaxBinaryProperty; // 640 KB: under Azure's 1 MiB entity limit with room to spare
    private const int SnapshotRowsPerTransaction = 4; // base64 on the wire: 4 x 853 KB stays under the 4 MiB transaction limit
    private const int MaxBinaryProperty = 64_000;
    private static readonly string[] StandingColumns = ["PartitionKey", "RowKey", UserEntity.RScore, UserEntity.FScore, UserEntity.MScore, UserEntity.Tier];
    private readonly SegmentationOptions _options = options.Value;

    /// <summary>The last complete day in the ops zone: what a run started now scores.</summary>
    public DateOnly DefaultAsOf() => calendar.DateOf(time.GetUtcNow()).AddDays(-1);

    public async Task<NightlyRunSummary> StartAsync(DateOnly asOf, NightlyStartMode mode, CancellationToken cancellationToken)
    {
        // the run's trace: its shard messages carry this span's traceparent
        using var span = EngagementTelemetry.Source.StartActivity("nightly.run", ActivityKind.Producer);
        span?.SetTag("nightly.as_of", asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        span?.SetTag("nightly.shards", shards.Count);
        var runs = await storage.TableAsync(TableNames.NightlyRuns, cancellationToken);
        var date = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var attempts = new List<TableEntity>();
        await foreach (var e in runs.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {RunPartition} and RowKey ge {date} and RowKey lt {date + "/"}"),
            cancellationToken: cancellationToken))
        {
            attempts.Add(e);
        }

        var latest = attempts.MaxBy(e => AttemptOf(e.RowKey));
        if (mode == NightlyStartMode.StartOrResume && latest is not null)
        {
            var summary = ToSummary(latest, 0);
            if (!summary.IsComplete)
            {
                LogResuming(log, summary.RunId, summary.Phase);
                await EnqueueMissingAsync(summary.RunId, asOf, summary.Phase, cancellationToken, summary.Cutoffs);
            }

            return summary;
        }

        var attempt = latest is null ? 1 : AttemptOf(latest.RowKey) + 1;
        var runId = attempt == 1 ? date : $"{date}.{attempt.ToString(CultureInfo.InvariantCulture)}";
        var header = new TableEntity(RunPartition, runId)
        {
            ["AsOf"] = date,
            ["Phase"] = NightlyPhase.Stats,
            ["Shards"] = shards.Count,
            ["StartedAt"] = time.GetUtcNow(),
        };
        try
        {
            await runs.AddEntityAsync(header, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // another starter won the race for this attempt; theirs is the run
            return (await ReadSummaryAsync(runId, cancellationToken))!;
        }

        LogStarted(log, runId, shards.Count);
        span?.SetTag("nightly.run_id", runId);
        await EnqueueAsync(shards.All.Select(s => new NightlyShardWork(runId, asOf, NightlyPhase.Stats, s, TraceParent: EngagementTelemetry.CurrentTraceParent())), cancellationToken);
        return ToSummary(header, 0);
    }

    /// <summary>Handles one shard message. <paramref name="redelivered"/>: the queue has handed this message out before.</summary>
    public async Task HandleAsync(NightlyShardWork work, bool redelivered, CancellationToken cancellationToken)
    {
        using var span = EngagementTelemetry.StartContinuing("nightly.shard", work.TraceParent);
        span?.SetTag("nightly.run_id", work.RunId);
        span?.SetTag("nightly.phase", work.Phase);
        span?.SetTag("shard", work.Shard);
        if (!shards.All.Contains(work.Shard))
        {
            throw new MalformedMessageException($"unknown shard '{work.Shard}' (this deployment has {shards.Count} shards)");
        }

        if (work.Phase is not (NightlyPhase.Stats or NightlyPhase.Assign))
        {
            throw new MalformedMessageException($"unknown phase '{work.Phase}'");
        }

        var cutoffs = work.Phase == NightlyPhase.Assign && work.Cutoffs is [var r, var f, var m]
            ? new RfmCutoffs(QuintileCutoffs.Parse(r), QuintileCutoffs.Parse(f), QuintileCutoffs.Parse(m))
            : null;
        if (cutoffs is null)
        {
            var runs = await storage.TableAsync(TableNames.NightlyRuns, cancellationToken);
            var header = await runs.GetEntityIfExistsAsync<TableEntity>(RunPartition, work.RunId, cancellationToken: cancellationToken);
            if (!header.HasValue || header.Value is null)
            {
                throw new MalformedMessageException($"unknown run '{work.RunId}'");
            }

            cutoffs = CutoffsOf(header.Value);
        }

        if (work.Phase == NightlyPhase.Stats)
        {
            await StatsAsync(work, redelivered, cancellationToken);
        }
        else
        {
            await AssignAsync(work, cutoffs ?? throw new InvalidOperationException($"run {work.RunId} has no cut-offs yet; shard {work.Shard} will be retried"), redelivered, cancellationToken);
        }
    }

    public static NightlyShardWork ParseWork(string json)
    {
        try
        {
            var work = JsonSerializer.Deserialize(json, NightlyJsonContext.Default.NightlyShardWork);
            if (work is null || string.IsNullOrEmpty(work.RunId) || string.IsNullOrEmpty(work.Shard) || string.IsNullOrEmpty(work.Phase))
            {
                throw new MalformedMessageException("a nightly shard message needs runId, asOf, phase and shard");
            }

            if (!TableKeys.IsValid(work.RunId, out var why))
            {
                throw new MalformedMessageException($"runId {why}");
            }

            return work;
        }
        catch (JsonException ex)
        {
            throw new MalformedMessageException($"invalid JSON: {ex.Message}", ex);
        }
    }

    public async Task<NightlyRunSummary?> ReadSummaryAsync(string runId, CancellationToken cancellationToken)
    {
        var runs = await storage.TableAsync(TableNames.NightlyRuns, cancellationToken);
        var header = await runs.GetEntityIfExistsAsync<TableEntity>(RunPartition, runId, cancellationToken: cancellationToken);
        if (!header.HasValue || header.Value is null)
        {
            return null;
        }

        var reported = await CountReportedAsync(runId, header.Value.GetString("Phase") == NightlyPhase.Stats ? StatsPrefix : ResultPrefix, cancellationToken);
        return ToSummary(header.Value, reported);
    }

    /// <summary>The most recent run header (any date), or null before the first run.</summary>
    public async Task<NightlyRunSummary?> LatestAsync(CancellationToken cancellationToken)
    {
        var runs = await storage.TableAsync(TableNames.NightlyRuns, cancellationToken);
        TableEntity? latest = null;
        await foreach (var e in runs.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {RunPartition}"), cancellationToken: cancellationToken))
        {
            if (latest is null || string.CompareOrdinal(e.GetString("AsOf"), latest.GetString("AsOf")) > 0
                || (e.GetString("AsOf") == latest.GetString("AsOf") && AttemptOf(e.RowKey) > AttemptOf(latest.RowKey)))
            {
                latest = e;
            }
        }

        return latest is null ? null : await ReadSummaryAsync(latest.RowKey, cancellationToken);
    }

    // ---------------- phase 1: statistics ----------------

    private async Task StatsAsync(NightlyShardWork work, bool redelivered, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var scope = StorageRequestCounter.BeginScope();
        var asOfDay = work.AsOf.DayNumber;
        var r = new Dictionary<long, long>();
        var f = new Dictionary<long, long>();
        var m = new Dictionary<long, long>();
        long users = 0, scored = 0;
        var snapshot = new List<SnapshotUser>();
        await foreach (var e in ReadShardAsync(work.Shard, UserEntity.NightlyColumns, ct))
        {
            users++;
            var v = RfmValues.From(UserEntity.ReadActivity(e), asOfDay, _options.FrequencyWindowDays, _options.MonetaryWindowDays);
            DateOnly? registered = e.GetDateTimeOffset(UserEntity.RegisteredOn) is { } on ? calendar.DateOf(on) : null;
            snapshot.Add(new SnapshotUser(e.RowKey, v, registered, UserEntity.ReadStanding(e)));
            if (!v.HasHistory)
            {
                continue;
            }

            scored++;
            Increment(r, v.RecencyDays);
            Increment(f, v.Frequency);
            Increment(m, v.MonetaryMinor);
        }

        var row = new TableEntity(work.RunId, StatsPrefix + work.Shard)
        {
            ["Users"] = users,
            ["Scored"] = scored,
        };
        WriteChunked(row, "HistR", ValueHistogram.FromCounts(r).ToBytes());
        WriteChunked(row, "HistF", ValueHistogram.FromCounts(f).ToBytes());
        WriteChunked(row, "HistM", ValueHistogram.FromCounts(m).ToBytes());
        var shardTable = await storage.TableAsync(TableNames.NightlyShards, ct);
        var snapshotRows = SnapshotRows(work.RunId, work.Shard, ShardSnapshot.Write(snapshot));
        var batches = snapshotRows.Append(row).Chunk(SnapshotRowsPerTransaction).ToList();
        row["DurationMs"] = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        row["Requests"] = scope.Count + batches.Count;
        // same partition (the run): the stats row that says "this shard reported" goes in the last
        // transaction, with (usually all of) the snapshot
        foreach (var batch in batches)
        {
            await shardTable.SubmitTransactionAsync(batch.Select(x => new TableTransactionAction(TableTransactionActionType.UpsertReplace, x)), ct);
        }

        LogShardStats(log, work.RunId, work.Shard, users, scored);

        await TryAdvanceToAssignAsync(work, redelivered, ct);
    }

    private async Task TryAdvanceToAssignAsync(NightlyShardWork work, bool redelivered, CancellationToken ct)
    {
        if (await CountReportedAsync(work.RunId, StatsPrefix, ct) < shards.Count)
        {
            return;
        }

        var runs = await storage.TableAsync(TableNames.NightlyRuns, ct);
        var header = (await runs.GetEntityAsync<TableEntity>(RunPartition, work.RunId, cancellationToken: ct)).Value;
        if (header.GetString("Phase") != NightlyPhase.Stats)
        {
            // Someone advanced the run. If this is a redelivery, the advancer may have been us and
            // crashed before enqueueing: make sure every shard's assign work exists (duplicates are harmless).
            if (redelivered && header.GetString("Phase") == NightlyPhase.Assign)
            {
                await EnqueueMissingAsync(work.RunId, work.AsOf, NightlyPhase.Assign, ct, CutoffsOf(header));
            }

            return;
        }

        var rows = await ReadRowsAsync(work.RunId, StatsPrefix, ct);
        var cutoffs = RfmCutoffs.From(
            ValueHistogram.Merge(rows.Select(x => ValueHistogram.FromBytes(ReadChunked(x, "HistR")))),
            ValueHistogram.Merge(rows.Select(x => ValueHistogram.FromBytes(ReadChunked(x, "HistF")))),
            ValueHistogram.Merge(rows.Select(x => ValueHistogram.FromBytes(ReadChunked(x, "HistM")))));
        header["Phase"] = NightlyPhase.Assign;
        header["CutoffR"] = cutoffs.R.ToString();
        header["CutoffF"] = cutoffs.F.ToString();
        header["CutoffM"] = cutoffs.M.ToString();
        header["Users"] = rows.Sum(x => x.GetInt64("Users") ?? 0);
        header["ScoredUsers"] = rows.Sum(x => x.GetInt64("Scored") ?? 0);
        header["AssignStartedAt"] = time.GetUtcNow();
        try
        {
            await runs.UpdateEntityAsync(header, header.ETag, TableUpdateMode.Replace, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return; // another shard advanced it first
        }

        LogAdvanced(log, work.RunId, cutoffs.R.ToString(), cutoffs.F.ToString(), cutoffs.M.ToString());
        await EnqueueMissingAsync(work.RunId, work.AsOf, NightlyPhase.Assign, ct, cutoffs);
    }

    // ---------------- phase 2: assignment ----------------

    private async Task AssignAsync(NightlyShardWork work, RfmCutoffs cutoffs, bool redelivered, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var scope = StorageRequestCounter.BeginScope();
        var asOfDay = work.AsOf.DayNumber;
        var asOfText = work.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var tierCounts = classifier.Tiers.ToDictionary(t => t, _ => 0L, StringComparer.Ordinal);
        var changes = new List<TableEntity>();
        var transitions = new List<TableEntity>();
        var transitionPartition = work.AsOf.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + work.Shard;
        long users = 0;
        var shardTable = await storage.TableAsync(TableNames.NightlyShards, ct);
        var snapshot = await ReadSnapshotAsync(work.RunId, work.Shard, ct);
        if (snapshot is null)
        {
            // a late duplicate after the run completed and cleaned its snapshots up: nothing left to do
            if ((await shardTable.GetEntityIfExistsAsync<TableEntity>(work.RunId, ResultPrefix + work.Shard, ["RowKey"], ct)).HasValue)
            {
                await TryCompleteAsync(work.RunId, ct);
                return;
            }

            throw new InvalidOperationException($"run {work.RunId} shard {work.Shard}: the stats phase's snapshot is missing or incomplete");
        }

        if (redelivered)
        {
            // an earlier delivery may have written some standings already: diff against what is
            // stored now, so a retry writes only what is left (one extra read of the shard)
            await RefreshStandingsAsync(work.Shard, snapshot, ct);
        }

        // the users as the stats phase saw them: no second read of the shard
        foreach (var u in snapshot)
        {
            users++;
            var scores = cutoffs.Score(u.Values);
            var tier = classifier.Classify(u.Values, scores, u.RegisteredOn, work.AsOf);
            tierCounts[tier]++;
            var old = u.Standing;
            if (old is not null && old.Scores == scores && old.Tier == tier)
            {
                continue;
            }

            var tierChanged = old?.Tier != tier;
            var update = new TableEntity(work.Shard, u.UserId);
            // TierSince only when the tier changes: a merge leaves the stored date alone otherwise
            UserEntity.WriteStanding(update, new RfmStanding(scores, tier, tierChanged ? asOfText : null));
            if (!tierChanged)
            {
                update.Remove(UserEntity.TierSince);
            }

            changes.Add(update);
            if (tierChanged)
            {
                transitions.Add(new TableEntity(transitionPartition, u.UserId)
                {
                    ["From"] = old?.Tier ?? "",
                    ["To"] = tier,
                    ["Scores"] = scores.ToString(),
                    ["AsOf"] = asOfText,
                    ["RunId"] = work.RunId,
                });
            }
        }

        // every transition before any standing: if we crash in between, the retry re-derives the
        // same transitions from the still-old standings; the reverse order could lose them
        var transitionsTable = await storage.TableAsync(TableNames.TierTransitions, ct);
        await Parallel.ForEachAsync(transitions.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (chunk, token) =>
            await transitionsTable.SubmitTransactionAsync(chunk.Select(t => new TableTransactionAction(TableTransactionActionType.UpsertReplace, t)), token));

        // merge only the standing columns; ingest owns the activity columns, so no ETag is needed
        var usersTable = await storage.TableAsync(TableNames.Users, ct);
        await Parallel.ForEachAsync(changes.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (chunk, token) =>
            await usersTable.SubmitTransactionAsync(chunk.Select(c => new TableTransactionAction(TableTransactionActionType.UpdateMerge, c, ETag.All)), token));
        LogShardWritten(log, work.RunId, work.Shard, changes.Count, transitions.Count);
        // out of the catch-all (dormant) tier; a redelivered shard may count its users again
        var dormant = _options.Rules[^1].Tier;
        foreach (var moved in transitions.Where(t => t.GetString("From") == dormant).GroupBy(t => t.GetString("To")!, StringComparer.Ordinal))
        {
            telemetry.Reactivated(moved.Count(), moved.Key);
        }

        var result = new TableEntity(work.RunId, ResultPrefix + work.Shard)
        {
            ["Users"] = users,
            ["Changed"] = (long)changes.Count,
            ["Transitions"] = (long)transitions.Count,
            ["TierCounts"] = JsonSerializer.Serialize(tierCounts, NightlyJsonContext.Default.DictionaryStringInt64),
            ["DurationMs"] = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
        result["Requests"] = scope.Count + 1;
        if (redelivered)
        {
            // a redelivery finds the standings already written (0 changes): keep the first report
            try
            {
                await shardTable.AddEntityAsync(result, ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // the first delivery reported; its counts stand
            }
        }
        else
        {
            await shardTable.UpsertEntityAsync(result, TableUpdateMode.Replace, ct);
        }

        LogShardAssigned(log, work.RunId, work.Shard, users, changes.Count);

        // completion is recomputed from the result rows, so a redelivery needs nothing extra here
        await TryCompleteAsync(work.RunId, ct);
    }

    private async Task TryCompleteAsync(string runId, CancellationToken ct)
    {
        if (await CountReportedAsync(runId, ResultPrefix, ct) < shards.Count)
        {
            return;
        }

        var runs = await storage.TableAsync(TableNames.NightlyRuns, ct);
        var header = (await runs.GetEntityAsync<TableEntity>(RunPartition, runId, cancellationToken: ct)).Value;
        if (header.GetString("Phase") != NightlyPhase.Assign)
        {
            return;
        }

        var results = await ReadRowsAsync(runId, ResultPrefix, ct);
        var stats = await ReadRowsAsync(runId, StatsPrefix, ct, "Requests");
        var tierCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in results)
        {
            foreach (var (tier, count) in JsonSerializer.Deserialize(row.GetString("TierCounts") ?? "{}", NightlyJsonContext.Default.DictionaryStringInt64) ?? [])
            {
                tierCounts[tier] = tierCounts.GetValueOrDefault(tier) + count;
            }
        }

        header["Phase"] = NightlyPhase.Complete;
        header["CompletedAt"] = time.GetUtcNow();
        header["TierCounts"] = JsonSerializer.Serialize(tierCounts, NightlyJsonContext.Default.DictionaryStringInt64);
        header["ChangedUsers"] = results.Sum(x => x.GetInt64("Changed") ?? 0);
        header["Transitions"] = results.Sum(x => x.GetInt64("Transitions") ?? 0);
        header["StorageRequests"] = results.Sum(x => x.GetInt64("Requests") ?? 0) + stats.Sum(x => x.GetInt64("Requests") ?? 0);
        try
        {
            await runs.UpdateEntityAsync(header, header.ETag, TableUpdateMode.Replace, ct);
            LogCompleted(log, runId, header.GetInt64("ChangedUsers") ?? 0);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return; // completed by another shard
        }

        // the snapshots served their purpose; the stats and result rows stay as the run's record
        var shardTable = await storage.TableAsync(TableNames.NightlyShards, ct);
        var snapshots = await ReadRowsAsync(runId, SnapshotPrefix, ct, "PartitionKey", "RowKey");
        foreach (var batch in snapshots.Chunk(100))
        {
            await shardTable.SubmitTransactionAsync(batch.Select(x => new TableTransactionAction(TableTransactionActionType.Delete, x, ETag.All)), ct);
        }
    }

    // ---------------- storage helpers of this job ----------------

    private async IAsyncEnumerable<TableEntity> ReadShardAsync(string shard, IEnumerable<string> columns, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var users = await storage.TableAsync(TableNames.Users, ct);
        await foreach (var e in users.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {shard}"), maxPerPage: 1000, select: columns, cancellationToken: ct))
        {
            yield return e;
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
                ["Of"] = count,
                ["Set"] = set,
            };
            WriteChunked(row, "Users", bytes.AsSpan(offset, Math.Min(SnapshotRowBytes, bytes.Length - offset)).ToArray());
            rows.Add(row);
        }

        return rows;
    }

    private async Task RefreshStandingsAsync(string shard, List<SnapshotUser> snapshot, CancellationToken ct)
    {
        var stored = new Dictionary<string, RfmStanding?>(StringComparer.Ordinal);
        await foreach (var e in ReadShardAsync(shard, StandingColumns, ct))
        {
            stored[e.RowKey] = UserEntity.ReadStanding(e);
        }

        for (var i = 0; i < snapshot.Count; i++)
        {
            if (stored.TryGetValue(snapshot[i].UserId, out var standing))
            {
                snapshot[i] = snapshot[i] with { Standing = standing };
            }
        }
    }

    /// <summary>The shard's snapshot, or null when it is missing or incomplete.</summary>
    private async Task<List<SnapshotUser>?> ReadSnapshotAsync(string runId, string shard, CancellationToken ct)
    {
        var rows = (await ReadRowsAsync(runId, SnapshotPrefix + shard + "-", ct)).OrderBy(x => x.RowKey, StringComparer.Ordinal).ToList();
        if (rows.Count == 0 || rows[0].GetInt32("Of") is not { } count || rows.Count < count
            || rows.Take(count).Any(x => x.GetString("Set") != rows[0].GetString("Set")))
        {
            return null;
        }

        using var bytes = new MemoryStream();
        foreach (var row in rows.Take(count))
        {
            bytes.Write(ReadChunked(row, "Users"));
        }

        return [.. ShardSnapshot.Read(bytes.ToArray())];
    }

    private async Task<int> CountReportedAsync(string runId, string prefix, CancellationToken ct) =>
        (await ReadRowsAsync(runId, prefix, ct, "RowKey")).Count;

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

    private async Task EnqueueMissingAsync(string runId, DateOnly asOf, string phase, CancellationToken ct, RfmCutoffs? cutoffs = null)
    {
        if (phase == NightlyPhase.Complete)
        {
            return;
        }

        var prefix = phase == NightlyPhase.Stats ? StatsPrefix : ResultPrefix;
        var done = (await ReadRowsAsync(runId, prefix, ct, "RowKey")).Select(r => r.RowKey[prefix.Length..]).ToHashSet(StringComparer.Ordinal);
        string[]? carried = cutoffs is null ? null : [cutoffs.R.ToString(), cutoffs.F.ToString(), cutoffs.M.ToString()];
        await EnqueueAsync(shards.All.Where(s => !done.Contains(s)).Select(s => new NightlyShardWork(runId, asOf, phase, s, carried, EngagementTelemetry.CurrentTraceParent())), ct);
    }

    private async Task EnqueueAsync(IEnumerable<NightlyShardWork> work, CancellationToken ct)
    {
        var queue = await storage.QueueAsync(QueueNames.NightlyShards, ct);
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (w, token) =>
            await queue.SendMessageAsync(JsonSerializer.Serialize(w, NightlyJsonContext.Default.NightlyShardWork), token));
    }

    private static void Increment(Dictionary<long, long> counts, long value) =>
        counts[value] = counts.GetValueOrDefault(value) + 1;

    /// <summary>A binary property holds at most 64 KiB: larger values are split over Name0, Name1, ...</summary>
    private static void WriteChunked(TableEntity e, string name, byte[] bytes)
    {
        var chunks = 0;
        for (var offset = 0; offset < bytes.Length || chunks == 0; offset += MaxBinaryProperty, chunks++)
        {
            e[name + chunks.ToString(CultureInfo.InvariantCulture)] = bytes.AsSpan(offset, Math.Min(MaxBinaryProperty, bytes.Length - offset)).ToArray();
        }

        e[name + "Chunks"] = chunks;
    }

    private static byte[] ReadChunked(TableEntity e, string name)
    {
        var chunks = e.GetInt32(name + "Chunks") ?? 0;
        using var buffer = new MemoryStream();
        for (var i = 0; i < chunks; i++)
        {
            buffer.Write(e.GetBinary(name + i.ToString(CultureInfo.InvariantCulture)));
        }

        return buffer.ToArray();
    }

    private static int AttemptOf(string runId)
    {
        var dot = runId.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? 1 : int.Parse(runId.AsSpan(dot + 1), CultureInfo.InvariantCulture);
    }

    private static RfmCutoffs? CutoffsOf(TableEntity header) =>
        header.GetString("CutoffR") is { } r && header.GetString("CutoffF") is { } f && header.GetString("CutoffM") is { } m
            ? new RfmCutoffs(QuintileCutoffs.Parse(r), QuintileCutoffs.Parse(f), QuintileCutoffs.Parse(m))
            : null;

    private static NightlyRunSummary ToSummary(TableEntity h, int reported) => new(
        h.RowKey,
        DateOnly.ParseExact(h.GetString("AsOf"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        h.GetString("Phase") ?? NightlyPhase.Stats,
        h.GetInt32("Shards") ?? 0,
        reported,
        h.GetDateTimeOffset("StartedAt") ?? default,
        h.GetDateTimeOffset("AssignStartedAt"),
        h.GetDateTimeOffset("CompletedAt"),
        CutoffsOf(h),
        JsonSerializer.Deserialize(h.GetString("TierCounts") ?? "{}", NightlyJsonContext.Default.DictionaryStringInt64) ?? [],
        h.GetInt64("Users") ?? 0,
        h.GetInt64("ScoredUsers") ?? 0,
        h.GetInt64("ChangedUsers") ?? 0,
        h.GetInt64("Transitions") ?? 0,
        h.GetInt64("StorageRequests") ?? 0);

    [LoggerMessage(LogLevel.Information, "Nightly run {RunId} started over {Shards} shards")]
    private static partial void LogStarted(ILogger logger, string runId, int shards);

    [LoggerMessage(LogLevel.Information, "Nightly run {RunId} is unfinished in phase {Phase}: re-enqueueing the shards that have not reported")]
    private static partial void LogResuming(ILogger logger, string runId, string phase);

    [LoggerMessage(LogLevel.Debug, "Run {RunId} shard {Shard}: {Users} users, {Scored} with history")]
    private static partial void LogShardStats(ILogger logger, string runId, string shard, long users, long scored);

    [LoggerMessage(LogLevel.Information, "Run {RunId}: all shards reported; cut-offs R={R} F={F} M={M}")]
    private static partial void LogAdvanced(ILogger logger, string runId, string r, string f, string m);

    [LoggerMessage(LogLevel.Debug, "Run {RunId} shard {Shard}: {Changed} standings and {Transitions} transitions written")]
    private static partial void LogShardWritten(ILogger logger, string runId, string shard, int changed, int transitions);

    [LoggerMessage(LogLevel.Debug, "Run {RunId} shard {Shard}: {Users} users, {Changed} changed")]
    private static partial void LogShardAssigned(ILogger logger, string runId, string shard, long users, int changed);

    [LoggerMessage(LogLevel.Information, "Nightly run {RunId} complete: {Changed} users changed")]
    private static partial void LogCompleted(ILogger logger, string runId, long changed);
}
