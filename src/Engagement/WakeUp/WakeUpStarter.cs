using Engagement.Activity;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.WakeUp;

/// <summary>What the starter did with a night's transitions (null <see cref="AsOf"/>: no completed night to read, or read already).</summary>
public sealed record WakeUpStartResult(DateOnly? AsOf, int Started, int HeldOut, int NotStarted, int Ended);

/// <summary>
/// The timer's half that starts and ends plans, from the latest completed nightly run's tier transitions (each night is
/// read once: a marker row, written when done; a crash before it reads the night again and starts nothing twice, since a
/// plan's start is one insert per user and plan id). Entering the plan's tier starts a plan, and so does a first tier
/// (a new registration) when <c>WakeUp:StartOnRegistration</c>; leaving the tier upward ends the running plan at once.
/// </summary>
public sealed partial class WakeUpStarter(
    WakeUpPlanStore plans,
    UserStore users,
    NightlyJob nightly,
    TierTransitionLog transitions,
    UserShards shards,
    ActivityCalendar calendar,
    IOptions<WakeUpOptions> options,
    IOptions<SegmentationOptions> segmentation,
    TimeProvider time,
    ILogger<WakeUpStarter> log)
{
    /// <summary>A first tier counts as a registration when the user registered this recently (a night late, and a day's slack).</summary>
    public static readonly TimeSpan RecentRegistration = TimeSpan.FromDays(3);

    public async Task<WakeUpStartResult> StartFromLatestNightAsync(CancellationToken ct)
    {
        if (await nightly.LatestAsync(ct) is not { Phase: NightlyPhase.Complete } night || await plans.NightDoneAsync(night.AsOf, ct))
        {
            return new WakeUpStartResult(null, 0, 0, 0, 0);
        }

        int started = 0, held = 0, not = 0, ended = 0;
        foreach (var shard in shards.All)
        {
            var moves = await transitions.ReadAsync(night.AsOf, shard, ct);
            var result = await ApplyAsync(moves, ct);
            (started, held, not, ended) = (started + result.Started, held + result.HeldOut, not + result.NotStarted, ended + result.Ended);
        }

        await plans.MarkNightDoneAsync(night.AsOf, ct);
        LogNight(log, night.AsOf, started, held, not, ended);
        return new WakeUpStartResult(night.AsOf, started, held, not, ended);
    }

    /// <summary>
    /// Starts (or ends) plans for one shard's transitions. The latest plan (<see cref="UserEntity.WakeUpPlan"/>) and the zone
    /// come from the user rows, read by key range (<see cref="UserStore.ColumnsOfAsync"/>); the plans are written many a transaction.
    /// </summary>
    public async Task<WakeUpStartResult> ApplyAsync(IReadOnlyList<TierTransition> moves, CancellationToken ct)
    {
        var o = options.Value;
        var tiers = segmentation.Value.Rules.Select(r => r.Tier).ToList();
        var candidates = moves.Select(move => (
            Move: move,
            // a first tier is a new user's, or everyone's on the first night ever: only a recent registration starts a plan then
            Cause: move.From.Length == 0 ? (o.StartOnRegistration ? WakeUpStartCause.Registered : null)
                : move.To == o.Tier && move.From != o.Tier ? WakeUpStartCause.EnteredTier
                : (WakeUpStartCause?)null,
            LeavesUp: move.From == o.Tier ? WakeUpDecisions.EndsEarly(o.Tier, move.To, tiers, consentPush: true, consentInApp: true) : null))
            .Where(c => c.Cause is not null || c.LeavesUp is not null).DistinctBy(c => c.Move.UserId, StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
        {
            return new WakeUpStartResult(null, 0, 0, 0, 0);
        }

        // the user row says when the latest plan started (and which): the cooldown and an early end need no plans read
        var profiles = await users.ColumnsOfAsync([.. candidates.Select(c => c.Move.UserId)], [UserEntity.TimeZone, UserEntity.RegisteredOn, UserEntity.WakeUpPlan], ct);
        var now = time.GetUtcNow();
        var ends = new List<(string UserId, string PlanId, string Reason)>();
        var starts = new List<(WakeUpPlanRow Plan, IReadOnlyList<WakeUpStep> Steps)>();
        var not = 0;
        foreach (var (move, cause, leavesUp) in candidates)
        {
            var user = profiles.GetValueOrDefault(move.UserId);
            var latest = LatestPlan.Parse(user?.GetString(UserEntity.WakeUpPlan));
            if (leavesUp is { } reason)
            {
                if (latest?.MayRun(now) == true)
                {
                    ends.Add((move.UserId, latest.PlanId, reason)); // a plan that is not running any more is left as it is
                }

                continue;
            }

            if (cause == WakeUpStartCause.Registered && !(user?.GetDateTimeOffset(UserEntity.RegisteredOn) >= now - RecentRegistration))
            {
                continue;
            }

            var zone = calendar.ZoneOr(user?.GetString(UserEntity.TimeZone));
            var firstDay = WakeUpSchedule.FirstDay(now, o.LocalTime, zone);
            var planId = firstDay.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
            // the same plan again (a night read twice, a crash after the column was written): decided as the first time
            var decision = latest?.PlanId == planId
                ? WakeUpDecisions.Start(o, move.UserId, cause!.Value, null, false, now)
                : WakeUpDecisions.Start(o, move.UserId, cause!.Value, latest?.StartedAt, latest is not null && await RunningAsync(move.UserId, latest, now, ct), now);
            if (!decision.Starts)
            {
                not++;
                continue;
            }

            var plan = new WakeUpPlanRow(move.UserId, planId, decision.HeldOut ? WakeUpPlanStates.HeldOut : WakeUpPlanStates.Running,
                cause.Value, o.CatalogueVersion, zone.Id, firstDay, latest?.PlanId == planId ? latest.StartedAt : now, null, default);
            starts.Add((plan, decision.HeldOut ? [] : WakeUpDecisions.Steps(WakeUpDecisions.DrawTasks(o), firstDay, o.LocalTime, zone)));
        }

        await Parallel.ForEachAsync(ends, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (end, token) =>
            await plans.EndAsync(end.UserId, end.PlanId, end.Reason, token));

        // the column before the plan's rows: a crash in between finds its own plan id there and starts the plan then
        // (with the steps' tasks and windows: the ingest finds the step an event may complete there, so a send writes no user row)
        await users.SetColumnAsync(UserEntity.WakeUpPlan, [.. starts.Select(s => (s.Plan.UserId, (object)LatestPlan.Of(s.Plan.PlanId, s.Plan.StartedAt, s.Steps).Format()))], ct);
        var added = await plans.StartManyAsync(starts, ct);
        var held = starts.Count(s => s.Plan.State == WakeUpPlanStates.HeldOut && added.Contains((s.Plan.UserId, s.Plan.PlanId)));
        return new WakeUpStartResult(null, added.Count - held, held, not, ends.Count);
    }

    /// <summary>
    /// Whether <paramref name="latest"/> is running: only a plan within <see cref="LatestPlan.Span"/> of its start can be, and
    /// only then, when the cooldown does not decide alone (a cooldown shorter than a plan), is its row read.
    /// </summary>
    private async Task<bool> RunningAsync(string userId, LatestPlan latest, DateTimeOffset now, CancellationToken ct) =>
        latest.MayRun(now) && now - latest.StartedAt >= TimeSpan.FromDays(options.Value.CooldownDays)
        && (await plans.PlansAsync(userId, ct)).Any(p => p.Plan.PlanId == latest.PlanId && p.Plan.State == WakeUpPlanStates.Running);

    [LoggerMessage(LogLevel.Information, "Wake-up plans from the night of {AsOf}: {Started} started, {HeldOut} held out, {NotStarted} not started (running or cooling down), {Ended} ended (left the tier upward)")]
    private static partial void LogNight(ILogger logger, DateOnly asOf, int started, int heldOut, int notStarted, int ended);
}
