using System.Collections.Concurrent;
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

    /// <summary>Starts (or ends) plans for one shard's transitions.</summary>
    public async Task<WakeUpStartResult> ApplyAsync(IReadOnlyList<TierTransition> moves, CancellationToken ct)
    {
        var o = options.Value;
        var tiers = segmentation.Value.Rules.Select(r => r.Tier).ToList();
        var starts = new ConcurrentBag<(WakeUpPlanRow Plan, IReadOnlyList<WakeUpStep> Steps)>();
        int not = 0, ended = 0;
        await Parallel.ForEachAsync(moves, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (move, token) =>
        {
            // a first tier is a new user's, or everyone's on the first night ever: only a recent registration starts a plan then
            var cause = move.From.Length == 0 ? (o.StartOnRegistration ? WakeUpStartCause.Registered : null)
                : move.To == o.Tier && move.From != o.Tier ? WakeUpStartCause.EnteredTier
                : (WakeUpStartCause?)null;
            var leavesUp = move.From == o.Tier ? WakeUpDecisions.EndsEarly(o.Tier, move.To, tiers, consentPush: true, consentInApp: true) : null;
            if (cause is null && leavesUp is null)
            {
                return;
            }

            var history = await plans.PlansAsync(move.UserId, token);
            var latest = history.Select(p => p.Plan).MaxBy(p => p.StartedAt);
            var running = latest?.State == WakeUpPlanStates.Running;
            if (leavesUp is { } reason)
            {
                if (running)
                {
                    await plans.EndAsync(move.UserId, latest!.PlanId, reason, token);
                    Interlocked.Increment(ref ended);
                }

                return;
            }

            var now = time.GetUtcNow();
            var decision = WakeUpDecisions.Start(o, move.UserId, cause!.Value, latest?.StartedAt, running, now);
            if (!decision.Starts)
            {
                Interlocked.Increment(ref not);
                return;
            }

            var user = await users.GetAsync(move.UserId, token);
            if (cause == WakeUpStartCause.Registered && !(user?.Profile.RegisteredOn >= now - RecentRegistration))
            {
                return;
            }

            var zone = calendar.ZoneOr(user?.Profile.TimeZone);
            var firstDay = WakeUpSchedule.FirstDay(now, o.LocalTime, zone);
            var plan = new WakeUpPlanRow(move.UserId, firstDay.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
                decision.HeldOut ? WakeUpPlanStates.HeldOut : WakeUpPlanStates.Running, cause.Value, o.CatalogueVersion, zone.Id, firstDay, now, null, default);
            starts.Add((plan, decision.HeldOut ? [] : WakeUpDecisions.Steps(WakeUpDecisions.DrawTasks(o), firstDay, o.LocalTime, zone)));
        });

        var added = await plans.StartManyAsync([.. starts], ct);
        var held = starts.Count(s => s.Plan.State == WakeUpPlanStates.HeldOut && added.Contains((s.Plan.UserId, s.Plan.PlanId)));
        return new WakeUpStartResult(null, added.Count - held, held, not, ended);
    }

    [LoggerMessage(LogLevel.Information, "Wake-up plans from the night of {AsOf}: {Started} started, {HeldOut} held out, {NotStarted} not started (running or cooling down), {Ended} ended (left the tier upward)")]
    private static partial void LogNight(ILogger logger, DateOnly asOf, int started, int heldOut, int notStarted, int ended);
}
