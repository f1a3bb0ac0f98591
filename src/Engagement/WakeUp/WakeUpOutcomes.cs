using System.Globalization;
using Engagement.Activity;
using Engagement.Outcomes;
using Engagement.Points;
using Engagement.Users;
using Microsoft.Extensions.Options;

namespace Engagement.WakeUp;

/// <summary>
/// One cohort of plans (the ISO week of their first day): how the steps went, what they earned, and the first-month
/// active rate of treated users against the held-out ones (<c>WakeUp:FirstMonthActiveDays</c> distinct active days within
/// <c>WakeUp:FirstMonthDays</c> of the plan's first day). <see cref="Closed"/>: every member's first month has ended.
/// </summary>
public sealed record WakeUpCohort(
    string Week, int Treated, int HeldOut, int Ended, IReadOnlyList<int> SentPerStep, IReadOnlyList<int> CompletedPerStep,
    long PointsAwarded, long CouponsRedeemed, int TreatedActive, int HeldOutActive, bool Closed)
{
    public int StepsSent => SentPerStep.Sum();

    public double CompletionRate => StepsSent == 0 ? 0 : (double)CompletedPerStep.Sum() / StepsSent;

    public double TreatedRate => Treated == 0 ? 0 : (double)TreatedActive / Treated;

    public double HeldOutRate => HeldOut == 0 ? 0 : (double)HeldOutActive / HeldOut;

    /// <summary>Treated minus held out, in percentage points, with its 95% interval (null without both groups).</summary>
    public Interval? Lift => ProportionDifference.Newcombe(TreatedActive, Treated, HeldOutActive, HeldOut)?.Scale(100);
}

/// <summary>The wake-up plan's outcomes per cohort, from the plans table, the users' activity and the points ledger.</summary>
public sealed class WakeUpOutcomes(WakeUpPlanStore plans, UserStore users, PointsStore points, ActivityCalendar calendar, IOptions<WakeUpOptions> options, TimeProvider time)
{
    private static readonly string[] Sent = [WakeUpStepStates.Sent, WakeUpStepStates.Completed, WakeUpStepStates.Missed];

    public async Task<IReadOnlyList<WakeUpCohort>> CohortsAsync(CancellationToken ct)
    {
        var all = new List<(WakeUpPlanRow Plan, IReadOnlyList<WakeUpStepRow> Steps)>();
        await foreach (var plan in plans.AllAsync(ct))
        {
            all.Add(plan);
        }

        var activity = await users.ActivityOfAsync(all.Select(p => p.Plan.UserId).ToHashSet(StringComparer.Ordinal), ct);
        var firstMonth = options.Value.FirstMonthDays;
        var redeemed = new Dictionary<string, List<DateTimeOffset>>(StringComparer.Ordinal);
        await foreach (var (user, spend) in points.SpendsAsync(ct))
        {
            (redeemed.TryGetValue(user, out var list) ? list : redeemed[user] = []).Add(spend.At);
        }

        var today = calendar.DayOf(time.GetUtcNow());
        return [.. all.GroupBy(p => Week(p.Plan.FirstDay)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var treated = g.Where(p => p.Plan.State != WakeUpPlanStates.HeldOut).ToList();
            var held = g.Where(p => p.Plan.State == WakeUpPlanStates.HeldOut).ToList();
            var steps = treated.SelectMany(p => p.Steps).ToList();
            bool Active((WakeUpPlanRow Plan, IReadOnlyList<WakeUpStepRow> Steps) p) =>
                activity.TryGetValue(p.Plan.UserId, out var a) && a.ActiveDaysIn(p.Plan.FirstDay.DayNumber + firstMonth - 1, firstMonth) >= options.Value.FirstMonthActiveDays;
            long Redeemed((WakeUpPlanRow Plan, IReadOnlyList<WakeUpStepRow> Steps) p) =>
                redeemed.TryGetValue(p.Plan.UserId, out var at) ? at.Count(t => t >= calendar.StartOf(p.Plan.FirstDay) && t < calendar.StartOf(p.Plan.FirstDay.AddDays(firstMonth))) : 0;
            return new WakeUpCohort(
                g.Key, treated.Count, held.Count, treated.Count(p => p.Plan.State == WakeUpPlanStates.Ended),
                [.. Enumerable.Range(1, WakeUpOptions.Steps).Select(k => steps.Count(s => s.Step.Number == k && Sent.Contains(s.Step.State)))],
                [.. Enumerable.Range(1, WakeUpOptions.Steps).Select(k => steps.Count(s => s.Step.Number == k && s.Step.State == WakeUpStepStates.Completed))],
                steps.Where(s => s.Step.State == WakeUpStepStates.Completed).Sum(s => (long)s.Step.Task.Points),
                treated.Sum(Redeemed),
                treated.Count(Active), held.Count(Active),
                g.All(p => p.Plan.FirstDay.DayNumber + firstMonth - 1 < today));
        })];
    }

    private static string Week(DateOnly day)
    {
        var date = day.ToDateTime(TimeOnly.MinValue);
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(date):D4}-W{ISOWeek.GetWeekOfYear(date):D2}");
    }
}
