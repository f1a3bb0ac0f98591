using System.Globalization;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Messaging;
using Engagement.Segmentation;
using Engagement.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.WakeUp;

/// <summary>What one pass over the due steps did.</summary>
public sealed record WakeUpSendResult(int Sent, int Batches, int Missed, int Skipped, int Ended, int PlansCompleted, int Recovered)
{
    /// <summary>The steps handed to the pipeline by this pass (with their send time), for reports and the demo's simulated users.</summary>
    public IReadOnlyList<(string UserId, WakeUpStep Step)> Handed { get; init; } = [];
}

/// <summary>
/// The timer's half that sends (docs/decisions.md, "Wake-up steps wait in a due-steps table"): reads the due pointers of
/// the last two days up to now, and per step: a due step whose time has come is claimed (<c>due -> sending</c>, with a batch
/// id, ETag-conditional: a second timer or instance claims nothing twice) and handed to the campaign pipeline in batches of
/// one step, task and day end; a sent step whose local day has closed is missed; step 7 closing completes the plan. A batch
/// left in <c>sending</c> by a crash is handed off again with the same text (the campaigns table answers a duplicate).
/// </summary>
public sealed partial class WakeUpSender(
    WakeUpPlanStore plans,
    UserStore users,
    CampaignTriggerHandler campaigns,
    CampaignStore stored,
    IEnumerable<IChannelSender> senders,
    IOptions<WakeUpOptions> options,
    IOptions<SegmentationOptions> segmentation,
    TimeProvider time,
    ILogger<WakeUpSender> log)
{
    /// <summary>How far back pointers are read: a step's local day lasts at most 26 hours after its send hour.</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromHours(48);

    /// <summary>Batches handed to the pipeline at once.</summary>
    private const int HandOffParallelism = 4;

    /// <summary>A batch another instance claimed is left to it this long before it counts as abandoned (a crash).</summary>
    public static readonly TimeSpan HandOffGrace = TimeSpan.FromMinutes(10);

    private readonly bool _push = senders.Any(s => s.Channel == Channels.Push);

    public async Task<WakeUpSendResult> SendDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var pointers = await plans.DueAsync(now - LookBack, now, ct);
        var work = new PassWork(now);
        var handed = new List<(string UserId, WakeUpStep Step)>();
        int recovered = 0, batches = 0, ended = 0;

        // the hour's sends first; the close pointers' steps are read (and closed) after them, so a zone's sends never wait
        // for other zones' day-ends. A close pointer's step found still due or abandoned (a crash) is sent in a second round.
        foreach (var part in pointers.GroupBy(p => p.Kind == WakeUpDueKinds.Close).OrderBy(g => g.Key))
        {
            var read = await ReadStepsAsync([.. part], now, ct);
            work.Sort(read.Steps, read.Closed);
            foreach (var (batch, rows) in work.TakeAbandoned())
            {
                LogRecovering(log, batch, rows.Count);
                var columns = await users.ColumnsOfAsync([.. rows.Select(r => r.Row.UserId)], [UserEntity.WakeUpPlan], ct);
                handed.AddRange(await HandOffAsync(batch, rows, WithoutSchedule(rows.Select(r => r.Row), columns), work, ct));
                recovered += rows.Count;
            }

            var (b, e) = await ClaimAndSendAsync(work.TakeToSend(), now, handed, work, ct);
            (batches, ended) = (batches + b, ended + e);
        }

        // then the closing moves, in transactions per plan partition; whatever moved (or lost a race to another close) is closed
        var skipped = (await plans.TryMoveManyAsync([.. work.Skip.Select(s => s.Row)], WakeUpStepStates.Skipped, null, "its local day closed before it could be sent", ct)).Count;
        var missed = (await plans.TryMoveManyAsync([.. work.Miss.Select(s => s.Row)], WakeUpStepStates.Missed, null, null, ct)).Count;
        List<WakeUpDue> closed = [.. work.Skip.Select(s => s.Due), .. work.Miss.Select(s => s.Due), .. work.Closed];
        var completed = await CloseAsync(closed, ct);

        // last, the pointers, once per pass (a pack row is rewritten or deleted once, however many of its steps moved): the
        // sent steps' close pointers first, then every pointer done with. A crash before this leaves sent steps behind their
        // send pointers, which the next pass re-files (the Sent case of PassWork.Sort)
        await plans.RefileManyAsync(work.Refile, [.. closed, .. work.Orphans, .. work.Dropped], ct);
        return new WakeUpSendResult(handed.Count, batches, missed, skipped, ended, completed, recovered) { Handed = handed };
    }

    private async Task<(int Batches, int Ended)> ClaimAndSendAsync(List<(WakeUpDue Due, WakeUpStepRow Row)> candidates, DateTimeOffset now, List<(string UserId, WakeUpStep Step)> handed, PassWork work, CancellationToken ct)
    {
        // the user as of now (tier and consents, read for many users a request): a plan whose user left the tier upward or
        // opted out of every channel ends here, its steps cancelled
        var ended = 0;
        var tiers = segmentation.Value.Rules.Select(r => r.Tier).ToList();
        // the range reads narrowed to the plan's tier: a zone's users are spread thinly over the ids, and nearly all are
        // still in the tier (one who left is read by key)
        var standing = await users.ColumnsOfAsync([.. candidates.Select(c => c.Row.UserId)], StandingColumns, ct,
            UserEntity.Tier + " eq " + Azure.Data.Tables.TableClient.CreateQueryFilter($"{options.Value.Tier}"));
        var go = new List<(WakeUpDue Due, WakeUpStepRow Row)>();
        var endings = new List<(WakeUpStepRow Row, string Reason)>();
        foreach (var c in candidates)
        {
            var reason = standing.TryGetValue(c.Row.UserId, out var user) ? EndsEarly(user, tiers) : "the user is gone";
            if (reason is null)
            {
                go.Add(c);
            }
            else
            {
                endings.Add((c.Row, reason));
            }
        }

        foreach (var (row, reason) in endings)
        {
            LogEnded(log, row.UserId, row.PlanId, reason);
            await plans.EndAsync(row.UserId, row.PlanId, reason, ct);
            ended++;
        }

        // batches of different groups go to the pipeline side by side (each is planned before its steps move on)
        var batches = 0;
        var chunks = go.GroupBy(c => WakeUpTrigger.GroupOf(c.Row.Step), StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(c => c.Row.UserId, StringComparer.Ordinal).Chunk(WakeUpTrigger.MaxUsers)).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = HandOffParallelism, CancellationToken = ct }, async (chunk, token) =>
        {
            var batch = WakeUpTrigger.NewBatchId(chunk[0].Row.Step.Number, now);
            var dueOf = chunk.ToDictionary(c => (c.Row.UserId, c.Row.PlanId), c => c.Due);
            var claimed = (await plans.TryClaimManyAsync([.. chunk.Select(c => c.Row)], batch, now, token)).Select(r => (dueOf[(r.UserId, r.PlanId)], r)).ToList();
            if (claimed.Count > 0)
            {
                LogClaimed(log, batch, claimed.Count);
                var sent = await HandOffAsync(batch, claimed, WithoutSchedule(claimed.Select(c => c.Item2), standing), work, token);
                lock (handed)
                {
                    handed.AddRange(sent);
                    batches++;
                }
            }
        });

        return (batches, ended);
    }

    /// <summary>
    /// Hands a claimed batch to the campaign pipeline (accepted and planned before this returns), then records it sent; its
    /// pointers are left to the end of the pass (<paramref name="work"/>).
    /// </summary>
    /// <param name="openTasks">Users whose open task is written for the ingest (their row carries no schedule of this plan).</param>
    private async Task<List<(string UserId, WakeUpStep Step)>> HandOffAsync(string batch, List<(WakeUpDue Due, WakeUpStepRow Row)> steps, HashSet<string> openTasks, PassWork work, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var closes = steps[0].Row.Step.Time.ClosesAt;
        string? refused = closes <= now ? "its local day closed before it was handed off" : null;
        if (refused is null)
        {
            // the ingest finds the step in the plan column written at the start; a plan of the earlier column form has its
            // open task written alongside the hand-off, before the steps are recorded sent (a crash leaves a step nothing
            // completes until the resumed hand-off sends it, never a sent step nobody can complete)
            var open = openTasks.Count == 0 ? Task.CompletedTask : users.SetColumnAsync(UserEntity.OpenTask,
                [.. steps.Where(s => openTasks.Contains(s.Row.UserId)).Select(s => (s.Row.UserId, (object)OpenTask.Of(s.Row.PlanId, s.Row.Step with { SentAt = now })))], ct);
            try
            {
                // a batch handed off before a crash is handed off again with its stored text (some of its steps may be sent already)
                var text = (await stored.GetAsync(batch, ct))?.Trigger ?? WakeUpTrigger.Build(batch, [.. steps.Select(s => s.Row)], options.Value.Title, _push);
                await campaigns.HandleAsync(text, ct);
            }
            catch (MalformedMessageException ex)
            {
                refused = ex.Message; // a catalogue task the pipeline refuses: its steps are skipped with the reason, not retried forever
                LogRefused(log, batch, ex.Message);
            }
            finally
            {
                await open;
            }
        }

        if (refused is not null)
        {
            await plans.TryMoveManyAsync([.. steps.Select(s => s.Row)], WakeUpStepStates.Skipped, null, refused, ct);
            work.Drop(steps.Select(s => s.Due));
            return [];
        }

        // recorded sent; each step's pointer becomes a close pointer at the end of the pass (one of a step another pass
        // recorded first is harmless: at its hour the step's state decides)
        var sent = await plans.TryMoveManyAsync([.. steps.Select(s => s.Row)], WakeUpStepStates.Sent, now, null, ct);
        LogHandedOff(log, batch, sent.Count, steps.Count);
        work.Refiling(steps.Select(s => (s.Due, s.Row.Step)));
        return [.. sent.Select(r => (r.UserId, r.Step))];
    }

    /// <summary>A seventh step closing completes its plan (the closed steps' pointers go at the end of the pass). The number of plans completed.</summary>
    private async Task<int> CloseAsync(List<WakeUpDue> steps, CancellationToken ct)
    {
        var completes = 0;
        var last = steps.Where(s => s.Step == WakeUpOptions.Steps).DistinctBy(s => (s.UserId, s.PlanId)).ToList();
        var rows = await plans.PlanRowsAsync([.. last.Select(s => (s.UserId, s.PlanId))], ct);
        await Parallel.ForEachAsync(last, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (due, token) =>
        {
            // conditional: an early end or another instance's close that got there first stands
            var plan = rows.GetValueOrDefault((due.UserId, due.PlanId));
            if (plan?.State == WakeUpPlanStates.Running && await plans.SetPlanStateAsync(due.UserId, due.PlanId, WakeUpPlanStates.Completed, null, token, plan.ETag))
            {
                Interlocked.Increment(ref completes);
            }
        });

        return completes;
    }

    [LoggerMessage(LogLevel.Information, "Wake-up batch {Batch}: {Sent} of {Steps} steps handed to the pipeline")]
    private static partial void LogHandedOff(ILogger logger, string batch, int sent, int steps);

    [LoggerMessage(LogLevel.Debug, "Wake-up batch {Batch}: {Steps} steps claimed, handing them to the pipeline")]
    private static partial void LogClaimed(ILogger logger, string batch, int steps);

    [LoggerMessage(LogLevel.Warning, "Wake-up batch {Batch} was left claimed ({Steps} steps): handing it off again")]
    private static partial void LogRecovering(ILogger logger, string batch, int steps);

    [LoggerMessage(LogLevel.Error, "Wake-up batch {Batch} was refused by the campaign pipeline: {Reason}; its steps are skipped")]
    private static partial void LogRefused(ILogger logger, string batch, string reason);

    [LoggerMessage(LogLevel.Information, "Wake-up plan {PlanId} of {UserId} ended before its step: {Reason}")]
    private static partial void LogEnded(ILogger logger, string userId, string planId, string reason);
}

/// <summary>The open task as the user row carries it (<see cref="UserEntity.OpenTask"/>): <c>planId|step|type|category|sentAt|closesAt</c>.</summary>
public sealed record OpenTask(string PlanId, int Step, Activity.ActivityType Type, string? Category, DateTimeOffset SentAt, DateTimeOffset ClosesAt)
{
    public static string Of(string planId, WakeUpStep step) =>
        string.Join('|', planId, step.Number.ToString(CultureInfo.InvariantCulture), step.Task.Completes.ToString(), step.Task.Category ?? "",
            step.SentAt!.Value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), step.Time.ClosesAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Null for an empty column (no task open) or text this version does not read.</summary>
    public static OpenTask? Parse(string? text)
    {
        var parts = (text ?? "").Split('|');
        return parts.Length == 6
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            && Enum.TryParse<Activity.ActivityType>(parts[2], out var type)
            && DateTimeOffset.TryParse(parts[4], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent)
            && DateTimeOffset.TryParse(parts[5], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var closes)
            ? new OpenTask(parts[0], step, type, parts[3].Length == 0 ? null : parts[3], sent, closes)
            : null;
    }

    /// <summary>Whether an event does the task within its window (the stored step decides in the end).</summary>
    public bool Matches(Activity.ActivityEvent e) => WakeUpDecisions.DoesTask(Type, Category, SentAt, ClosesAt, e);
}
