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
    /// Starts (or ends) plans for one shard's transitions: the histories and the users' zones are read many users a
    /// request (<see cref="WakeUpPlanStore.PlanRowsAsync"/>, <see cref="UserStore.ColumnsOfAsync"/>), the plans written
    /// many a transaction.
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

        var history = await plans.PlanRowsAsync([.. candidates.Select(c => c.Move.UserId)], ct);
        var now = time.GetUtcNow();
        var ends = new List<(string UserId, string PlanId, string Reason)>();
        var starting = new List<(TierTransition Move, WakeUpStartCause Cause, bool HeldOut)>();
        var not = 0;
        foreach (var (move, cause, leavesUp) in candidates)
        {
            var plan = history.GetValueOrDefault(move.UserId)?[^1];
            var running = plan?.State == WakeUpPlanStates.Running;
            if (leavesUp is { } reason)
            {
                if (running)
                {
                    ends.Add((move.UserId, plan!.PlanId, reason));
                }

                continue;
            }

            var decision = WakeUpDecisions.Start(o, move.UserId, cause!.Value, plan?.StartedAt, running, now);
            if (decision.Starts)
            {
                starting.Add((move, cause.Value, decision.HeldOut));
            }
            else
            {
                not++;
            }
        }

        await Parallel.ForEachAsync(ends, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (end, token) =>
            await plans.EndAsync(end.UserId, end.PlanId, end.Reason, token));

        var profiles = await users.ColumnsOfAsync([.. starting.Select(s => s.Move.UserId)], [UserEntity.TimeZone, UserEntity.RegisteredOn], ct);
        var starts = new List<(WakeUpPlanRow Plan, IReadOnlyList<WakeUpStep> Steps)>();
        foreach (var (move, cause, heldOut) in starting)
        {
            var user = profiles.GetValueOrDefault(move.UserId);
            if (cause == WakeUpStartCause.Registered && !(user?.GetDateTimeOffset(UserEntity.RegisteredOn) >= now - RecentRegistration))
            {
                continue;
            }

            var zone = calendar.ZoneOr(user?.GetString(UserEntity.TimeZone));
            var firstDay = WakeUpSchedule.FirstDay(now, o.LocalTime, zone);
            var plan = new WakeUpPlanRow(move.UserId, firstDay.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
                heldOut ? WakeUpPlanStates.HeldOut : WakeUpPlanStates.Running, cause, o.CatalogueVersion, zone.Id, firstDay, now, null, default);
            starts.Add((plan, heldOut ? [] : WakeUpDecisions.Steps(WakeUpDecisions.DrawTasks(o), firstDay, o.LocalTime, zone)));
        }

        var added = await plans.StartManyAsync(starts, ct);
        var held = starts.Count(s => s.Plan.State == WakeUpPlanStates.HeldOut && added.Contains((s.Plan.UserId, s.Plan.PlanId)));
        return new WakeUpStartResult(null, added.Count - held, held, not, ends.Count);
    }

    [LoggerMessage(LogLevel.Information, "Wake-up plans from the night of {AsOf}: {Started} started, {HeldOut} held out, {NotStarted} not started (running or cooling down), {Ended} ended (left the tier upward)")]
    private static partial void LogNight(ILogger logger, DateOnly asOf, int started, int heldOut, int notStarted, int ended);
}
