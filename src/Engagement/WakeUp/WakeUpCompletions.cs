using System.Collections.Concurrent;
using Engagement.Ingest;
using Engagement.Points;
using Engagement.Users;
using Microsoft.Extensions.Logging;

namespace Engagement.WakeUp;

/// <summary>
/// Completes wake-up steps from activity (an ingest follow-up). Only users whose row carries an open task
/// (<see cref="UserEntity.OpenTask"/>) with a matching event cost anything: one step read. The step's state decides:
/// <c>sent</c> and the event inside its window moves it to <c>completed</c> (ETag-conditional, recording the event); a
/// <c>completed</c> step gets its points (keyed <c>wakeup-{planId}-{step}</c>, so a replay or a crash between the move
/// and the award awards exactly once); a step not sent yet or closed awards nothing. The column is not cleared: past the
/// step's day no event matches it, and within it a second match costs a read and an award answered "already applied".
/// </summary>
public sealed partial class WakeUpCompletions(WakeUpPlanStore plans, PointsStore points, UserStore store, ILogger<WakeUpCompletions> log) : IIngestFollowUp
{
    public IReadOnlyCollection<string> Columns { get; } = [UserEntity.OpenTask, UserEntity.Level];

    public static string PointsKey(string planId, int step) => $"wakeup-{planId}-{step}";

    public async Task FollowAsync(IReadOnlyList<IngestedUser> users, CancellationToken cancellationToken)
    {
        var levels = new ConcurrentBag<(string UserId, object Level)>();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (user, ct) =>
        {
            if (OpenTask.Parse(user.Row.GetString(UserEntity.OpenTask)) is not { } task
                || user.Events.Where(task.Matches).OrderBy(e => e.OccurredAt).ThenBy(e => e.EventId, StringComparer.Ordinal).FirstOrDefault() is not { } done)
            {
                return;
            }

            for (var attempt = 0; attempt < 3; attempt++)
            {
                var row = await plans.StepAsync(user.UserId, task.PlanId, task.Step, ct);
                if (row is null)
                {
                    return;
                }

                if (row.Step.State == WakeUpStepStates.Sent)
                {
                    if (!WakeUpDecisions.Completes(row.Step, done))
                    {
                        return;
                    }

                    if (!await plans.TryMoveAsync(row, WakeUpStepStates.Completed, null, null, ct, completedBy: done.EventId))
                    {
                        continue; // moved meanwhile (the day closed, another event): read again
                    }

                    LogStepCompleted(log, user.UserId, task.PlanId, task.Step, done.EventId);
                }
                else if (row.Step.State != WakeUpStepStates.Completed)
                {
                    return; // missed, cancelled or not sent: nothing
                }

                var account = (await points.EarnAsync(user.UserId, PointsKey(task.PlanId, task.Step), row.Step.Task.Points, ct)).Account;
                if (account.Level != (user.Row.GetInt32(UserEntity.Level) ?? 1))
                {
                    levels.Add((user.UserId, account.Level));
                }

                return;
            }
        });

        if (!levels.IsEmpty)
        {
            await store.SetColumnAsync(UserEntity.Level, [.. levels], cancellationToken);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Wake-up step {Step} of plan {PlanId} of {UserId} completed by event {EventId}; awarding its points")]
    private static partial void LogStepCompleted(ILogger logger, string userId, string planId, int step, string eventId);
}
