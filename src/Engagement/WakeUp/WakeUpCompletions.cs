using System.Collections.Concurrent;
using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Ingest;
using Engagement.Points;
using Engagement.Users;
using Microsoft.Extensions.Logging;

namespace Engagement.WakeUp;

/// <summary>
/// Completes wake-up steps from activity (an ingest follow-up). Only users whose row carries a plan
/// (<see cref="UserEntity.WakeUpPlan"/>, with each step's task and window) and an event matching one of its steps cost
/// anything: one step read per matched step. The step's state decides: <c>sent</c> and an event inside its window after it
/// was sent moves it to <c>completed</c> (ETag-conditional, recording the event); a <c>completed</c> step gets its points
/// (keyed <c>wakeup-{planId}-{step}</c>, so a replay or a crash between the move and the award awards exactly once); a step
/// not sent yet, closed or cancelled awards nothing. A plan started before the column carried its steps is found through
/// the open task the sender wrote for it (<see cref="UserEntity.OpenTask"/>).
/// </summary>
public sealed partial class WakeUpCompletions(WakeUpPlanStore plans, PointsStore points, UserStore store, ILogger<WakeUpCompletions> log) : IIngestFollowUp
{
    public IReadOnlyCollection<string> Columns { get; } = [UserEntity.WakeUpPlan, UserEntity.OpenTask, UserEntity.Level];

    public static string PointsKey(string planId, int step) => $"wakeup-{planId}-{step}";

    /// <summary>The steps the user's events may complete, each with its matching events in order (pure: from the row's columns only).</summary>
    public static IReadOnlyList<(string PlanId, int Step, IReadOnlyList<ActivityEvent> Events)> Candidates(TableEntity row, IReadOnlyList<ActivityEvent> events)
    {
        var latest = LatestPlan.Parse(row.GetString(UserEntity.WakeUpPlan));
        IEnumerable<(string PlanId, int Step, Func<ActivityEvent, bool> Matches)> open =
            latest is { HasSchedule: true } ? latest.Steps.Select(s => (latest.PlanId, s.Step, (Func<ActivityEvent, bool>)s.Matches))
            : OpenTask.Parse(row.GetString(UserEntity.OpenTask)) is { } task ? [(task.PlanId, task.Step, task.Matches)]
            : [];
        return [.. open.Select(o => (o.PlanId, o.Step, Events: (IReadOnlyList<ActivityEvent>)[.. events.Where(o.Matches).OrderBy(e => e.OccurredAt).ThenBy(e => e.EventId, StringComparer.Ordinal)]))
            .Where(o => o.Events.Count > 0)];
    }

    public async Task FollowAsync(IReadOnlyList<IngestedUser> users, CancellationToken cancellationToken)
    {
        var levels = new ConcurrentBag<(string UserId, object Level)>();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (user, ct) =>
        {
            int? level = null;
            foreach (var (planId, step, events) in Candidates(user.Row, user.Events))
            {
                level = await CompleteAsync(user.UserId, planId, step, events, ct) ?? level;
            }

            if (level is { } now && now != (user.Row.GetInt32(UserEntity.Level) ?? 1))
            {
                levels.Add((user.UserId, now));
            }
        });

        if (!levels.IsEmpty)
        {
            await store.SetColumnAsync(UserEntity.Level, [.. levels], cancellationToken);
        }
    }

    /// <summary>Completes one step by the first of <paramref name="events"/> the stored step accepts and awards its points; the level after the award, or null.</summary>
    private async Task<int?> CompleteAsync(string userId, string planId, int step, IReadOnlyList<ActivityEvent> events, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var row = await plans.StepAsync(userId, planId, step, ct);
            if (row is null)
            {
                return null;
            }

            if (row.Step.State == WakeUpStepStates.Sent)
            {
                // the window on the row starts at the scheduled hour; the stored step counts from when it was really sent
                if (events.FirstOrDefault(e => WakeUpDecisions.Completes(row.Step, e)) is not { } done)
                {
                    return null;
                }

                if (!await plans.TryMoveAsync(row, WakeUpStepStates.Completed, null, null, ct, completedBy: done.EventId))
                {
                    continue; // moved meanwhile (the day closed, another event): read again
                }

                LogStepCompleted(log, userId, planId, step, done.EventId);
            }
            else if (row.Step.State != WakeUpStepStates.Completed)
            {
                return null; // missed, cancelled or not sent: nothing
            }

            return (await points.EarnAsync(userId, PointsKey(planId, step), row.Step.Task.Points, ct)).Account.Level;
        }

        return null;
    }

    [LoggerMessage(LogLevel.Debug, "Wake-up step {Step} of plan {PlanId} of {UserId} completed by event {EventId}; awarding its points")]
    private static partial void LogStepCompleted(ILogger logger, string userId, string planId, int step, string eventId);
}
