using System.Collections.Concurrent;
using Azure.Data.Tables;
using Engagement.Users;

namespace Engagement.WakeUp;

/// <summary>The pass's reads: the pointers decide what to look at; steps and users are read many to a request.</summary>
public sealed partial class WakeUpSender
{
    /// <summary>The user columns the early-end check needs, and the plan column (whether the ingest finds the step there).</summary>
    private static readonly string[] StandingColumns = [UserEntity.Tier, UserEntity.ConsentPush, UserEntity.ConsentInApp, UserEntity.WakeUpPlan];

    /// <summary>
    /// The users of <paramref name="steps"/> whose row does not carry the step's plan with its steps (a plan started before the
    /// column carried them): the hand-off writes their open task, which the ingest falls back to.
    /// </summary>
    private static HashSet<string> WithoutSchedule(IEnumerable<WakeUpStepRow> steps, IReadOnlyDictionary<string, TableEntity> users) =>
        [.. steps.Where(s => LatestPlan.Parse(users.GetValueOrDefault(s.UserId)?.GetString(UserEntity.WakeUpPlan)) is not { HasSchedule: true } latest || latest.PlanId != s.PlanId)
            .Select(s => s.UserId)];

    /// <summary>
    /// The steps of the pointers with something to do now, and the close pointers whose steps closed already. A pointer
    /// whose instant has not come (a send pointer before its send instant, a close pointer before its day's end) costs
    /// nothing more. The rest are read in one range query per shard partition (<see cref="WakeUpPlanStore.MovableStepsAsync"/>,
    /// with the ETags every move is conditional on); a close pointer whose step is not among them is closed (the step left
    /// <c>sent</c>: completed, or missed by another pass, and no move leads back); a send pointer whose step is not among
    /// them, and a pointer written without its step's data, cost a read each (a crash after the send, a step closed or
    /// cancelled, a plan not written yet or never).
    /// </summary>
    private async Task<(List<(WakeUpDue Due, WakeUpStepRow? Row)> Steps, List<WakeUpDue> Closed)> ReadStepsAsync(IReadOnlyList<WakeUpDue> pointers, DateTimeOffset now, CancellationToken ct)
    {
        var ripe = pointers.Where(p => p.Kind switch
        {
            WakeUpDueKinds.Send => p.Time!.SendAt <= now,
            WakeUpDueKinds.Close => p.Time!.ClosesAt <= now,
            _ => true,
        }).ToList();
        var movable = await plans.MovableStepsAsync([.. ripe.Where(p => p.Kind is not null)], now - LookBack, now, ct);
        var steps = new List<(WakeUpDue Due, WakeUpStepRow? Row)>();
        var closed = new List<WakeUpDue>();
        var alone = new List<WakeUpDue>();
        foreach (var due in ripe)
        {
            if (due.Kind is not null && movable.TryGetValue((due.UserId, due.PlanId, due.Step), out var row))
            {
                steps.Add((due, row));
            }
            else if (due.Kind == WakeUpDueKinds.Close)
            {
                closed.Add(due);
            }
            else
            {
                alone.Add(due);
            }
        }

        var read = new ConcurrentBag<(WakeUpDue Due, WakeUpStepRow? Row)>();
        await Parallel.ForEachAsync(alone, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (due, token) =>
            read.Add((due, await plans.StepAsync(due.UserId, due.PlanId, due.Step, token))));
        steps.AddRange(read);
        return (steps, closed);
    }

    /// <summary>Why the plan ends before this step (<see cref="WakeUpDecisions.EndsEarly"/>), from the user's columns as read now.</summary>
    private string? EndsEarly(TableEntity user, IReadOnlyList<string> tiers) =>
        WakeUpDecisions.EndsEarly(options.Value.Tier, user.GetString(UserEntity.Tier) ?? "", tiers,
            user.GetBoolean(UserEntity.ConsentPush) ?? false, user.GetBoolean(UserEntity.ConsentInApp) ?? true);
}
