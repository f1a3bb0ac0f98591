using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Engagement.Activity;
using Engagement.Messaging;
using Engagement.Storage;
using Engagement.Telemetry;
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
/// <item>each shard scores and tiers the users its stats phase saved (no second read of the shard), and writes
/// only users whose scores or tier changed (batch transactions), plus a transition row per tier change and the
/// dedicated-service flag of users entering or leaving the best tier; the shard that completes the set writes the run summary.</item>
/// </list>
/// Every step is idempotent, so a crashed shard is simply retried by the queue and a re-run of the same
/// night writes nothing. Run ids are the as-of date (yyyy-MM-dd), then yyyy-MM-dd.2, .3 for re-runs.
/// This class only sequences the steps: load (<see cref="NightlyRunStore"/>, <see cref="NightlyShardUsers"/>),
/// decide (<see cref="NightlyPhases"/>, <see cref="ShardAssignment"/>), save. Its log statements sit between
/// the storage steps on purpose: the recovery tests crash a shard at them.
/// </summary>
public sealed partial class NightlyJob(
    StorageClients storage,
    UserShards shards,
    ActivityCalendar calendar,
    TierClassifier classifier,
    IOptions<SegmentationOptions> options,
    TimeProvider time,
    EngagementTelemetry telemetry,
    NightlyRunStore runs,
    TierTransitionLog transitions,
    Users.ServiceFlags serviceFlags,
    Users.RecentUsersCache cache,
    ILogger<NightlyJob> log)
{
    private readonly NightlyShardUsers _users = new(storage, cache);
    private readonly SegmentationOptions _options = options.Value;

    /// <summary>The last complete day in the ops zone: what a run started now scores.</summary>
    public DateOnly DefaultAsOf() => calendar.DateOf(time.GetUtcNow()).AddDays(-1);

    public async Task<NightlyRunSummary> StartAsync(DateOnly asOf, NightlyStartMode mode, CancellationToken cancellationToken)
    {
        // the run's trace: its shard messages carry this span's traceparent
        using var span = EngagementTelemetry.Source.StartActivity("nightly.run", ActivityKind.Producer);
        span?.SetTag("nightly.as_of", asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        span?.SetTag("nightly.shards", shards.Count);
        var start = NightlyPhases.Start(await runs.AttemptsAsync(asOf, cancellationToken), asOf, mode, shards.Count, time.GetUtcNow());
        var run = start.Run;
        switch (start.Action)
        {
            case NightlyStartAction.None:
                return run.Summary(0);
            case NightlyStartAction.Resume:
                LogResuming(log, run.RunId, run.Phase);
                await EnqueueMissingAsync(run.RunId, asOf, run.Phase, run.Cutoffs, cancellationToken);
                return run.Summary(0);
        }

        if (!await runs.TryAddAsync(run, cancellationToken))
        {
            // another starter won the race for this attempt; theirs is the run
            return (await ReadSummaryAsync(run.RunId, cancellationToken))!;
        }

        LogStarted(log, run.RunId, shards.Count);
        span?.SetTag("nightly.run_id", run.RunId);
        await runs.EnqueueAsync(NightlyPhases.Work(run.RunId, asOf, NightlyPhase.Stats, shards.All, null, EngagementTelemetry.CurrentTraceParent()), cancellationToken);
        return run.Summary(0);
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

        var cutoffs = NightlyPhases.CarriedCutoffs(work);
        if (cutoffs is null)
        {
            var header = await runs.ReadAsync(work.RunId, cancellationToken) ?? throw new MalformedMessageException($"unknown run '{work.RunId}'");
            cutoffs = header.Header.Cutoffs;
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
        if (await runs.ReadAsync(runId, cancellationToken) is not { Header: var header })
        {
            return null;
        }

        return header.Summary(await runs.CountReportedAsync(runId, header.Phase, cancellationToken));
    }

    /// <summary>The most recent run header (any date), or null before the first run.</summary>
    public async Task<NightlyRunSummary?> LatestAsync(CancellationToken cancellationToken) =>
        NightlyPhases.Latest(await runs.AllAsync(cancellationToken)) is { } latest ? await ReadSummaryAsync(latest.RunId, cancellationToken) : null;

    // ---------------- phase 1: statistics ----------------

    private async Task StatsAsync(NightlyShardWork work, bool redelivered, CancellationToken ct)
    {
        using var meter = new NightlyShardMeter();
        var snapshot = new List<SnapshotUser>();
        await foreach (var u in _users.ReadAsync(work.Shard, ct))
        {
            var values = RfmValues.From(u.Activity, work.AsOf.DayNumber, _options.FrequencyWindowDays, _options.MonetaryWindowDays);
            snapshot.Add(new SnapshotUser(u.UserId, values, u.RegisteredOn is { } on ? calendar.DateOf(on) : null, u.Standing, u.ETag));
        }

        var stats = ShardStats.Of(snapshot);
        await runs.WriteStatsAsync(work.RunId, work.Shard, stats, snapshot, meter, ct);
        LogShardStats(log, work.RunId, work.Shard, stats.Users, stats.Scored);

        await TryAdvanceToAssignAsync(work, redelivered, ct);
    }

    private async Task TryAdvanceToAssignAsync(NightlyShardWork work, bool redelivered, CancellationToken ct)
    {
        if (!NightlyPhases.AllReported(await runs.CountReportedAsync(work.RunId, NightlyPhase.Stats, ct), shards.Count))
        {
            return;
        }

        var stored = await runs.GetAsync(work.RunId, ct);
        switch (NightlyPhases.AfterStatsReported(stored.Header, redelivered))
        {
            case StatsReportedAction.EnsureAssignSent:
                await EnqueueMissingAsync(work.RunId, work.AsOf, NightlyPhase.Assign, stored.Header.Cutoffs, ct);
                return;
            case StatsReportedAction.None:
                return;
        }

        var advanced = NightlyPhases.Advance(stored.Header, await runs.ReadStatsAsync(work.RunId, ct), time.GetUtcNow());
        if (!await runs.TryMoveAsync(stored, advanced, ct))
        {
            return; // another shard advanced it first
        }

        var cutoffs = advanced.Cutoffs!;
        LogAdvanced(log, work.RunId, cutoffs.R.ToString(), cutoffs.F.ToString(), cutoffs.M.ToString());
        await EnqueueMissingAsync(work.RunId, work.AsOf, NightlyPhase.Assign, cutoffs, ct);
    }

    // ---------------- phase 2: assignment ----------------

    private async Task AssignAsync(NightlyShardWork work, RfmCutoffs cutoffs, bool redelivered, CancellationToken ct)
    {
        using var meter = new NightlyShardMeter();
        var snapshot = await runs.ReadSnapshotAsync(work.RunId, work.Shard, ct);
        if (snapshot is null)
        {
            // a late duplicate after the run completed and cleaned its snapshots up: nothing left to do
            if (await runs.HasResultAsync(work.RunId, work.Shard, ct))
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
            snapshot = ShardAssignment.WithStoredStandings(snapshot, await _users.ReadStandingsAsync(work.Shard, ct));
        }

        // the users as the stats phase saw them: no second read of the shard
        var assignment = ShardAssignment.Of(snapshot, cutoffs, classifier, work.AsOf);

        // every transition before any standing: if we crash in between, the retry re-derives the
        // same transitions from the still-old standings; the reverse order could lose them
        await transitions.WriteAsync(work.AsOf, work.Shard, work.RunId, assignment.Transitions, ct);
        // the best tier's users get a dedicated-service flag; before the standings, as the transitions
        await serviceFlags.WriteAsync(work.Shard, Users.ServiceFlagRule.Changes(assignment.Transitions.Select(t => (t.UserId, t.From, t.To)), _options.Rules[0].Tier, work.AsOf), ct);
        await _users.WriteStandingsAsync(work.Shard, assignment.Changes, ct);
        LogShardWritten(log, work.RunId, work.Shard, assignment.Changes.Count, assignment.Transitions.Count);
        // out of the catch-all (dormant) tier; a redelivered shard may count its users again
        foreach (var (tier, users) in assignment.ReactivatedFrom(_options.Rules[^1].Tier))
        {
            telemetry.Reactivated(users, tier);
        }

        await runs.WriteResultAsync(work.RunId, work.Shard, assignment.Result, firstReportStands: redelivered, meter, ct);
        LogShardAssigned(log, work.RunId, work.Shard, assignment.Users, assignment.Changes.Count);

        // completion is recomputed from the result rows, so a redelivery needs nothing extra here
        await TryCompleteAsync(work.RunId, ct);
    }

    private async Task TryCompleteAsync(string runId, CancellationToken ct)
    {
        if (!NightlyPhases.AllReported(await runs.CountReportedAsync(runId, NightlyPhase.Assign, ct), shards.Count))
        {
            return;
        }

        var stored = await runs.GetAsync(runId, ct);
        if (!NightlyPhases.CanComplete(stored.Header))
        {
            return;
        }

        var results = await runs.ReadResultsAsync(runId, ct);
        var completed = NightlyPhases.Complete(stored.Header, results, await runs.StatsRequestsAsync(runId, ct), time.GetUtcNow());
        if (!await runs.TryMoveAsync(stored, completed, ct))
        {
            return; // completed by another shard
        }

        LogCompleted(log, runId, completed.ChangedUsers ?? 0);
        await runs.DeleteSnapshotsAsync(runId, ct);
    }

    /// <summary>Sends the phase's work of every shard that has not reported it (a complete run has none).</summary>
    private async Task EnqueueMissingAsync(string runId, DateOnly asOf, string phase, RfmCutoffs? cutoffs, CancellationToken ct)
    {
        if (phase == NightlyPhase.Complete)
        {
            return;
        }

        var done = await runs.ReportedAsync(runId, phase, ct);
        await runs.EnqueueAsync(NightlyPhases.Work(runId, asOf, phase, shards.All.Where(s => !done.Contains(s)), cutoffs, EngagementTelemetry.CurrentTraceParent()), ct);
    }

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
