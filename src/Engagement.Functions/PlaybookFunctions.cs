using Engagement.Playbooks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Engagement.Functions;

/// <summary>The playbook timer: starts every enabled playbook's due run (the runs themselves go through campaign-triggers), runs the wake-up plan's tick and the weekly content run, then records the outcomes of runs whose window has closed.</summary>
public sealed partial class PlaybookFunctions(PlaybookRuns runs, PlaybookOutcomes outcomes, Engagement.WakeUp.WakeUpTick wakeUp, Engagement.Content.ContentWeeklyRun content, ILogger<PlaybookFunctions> log)
{
    /// <summary>
    /// Fires often (%PlaybookSchedule%, default every 10 minutes, UTC); each playbook's own schedule
    /// says what is due. Firing twice, past due or on two instances starts nothing twice: a run's id
    /// and trigger text are fixed by its playbook and period.
    /// </summary>
    [Function(nameof(PlaybookTimer))]
    public async Task PlaybookTimer([TimerTrigger("%" + PlaybookSchedule.TimerSettingName + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        foreach (var start in await runs.StartDueAsync(cancellationToken))
        {
            LogStart(log, start.Playbook, start.Outcome, start.Detail, timer.IsPastDue);
        }

        // the 7-day wake-up plan: starts from the latest night, due steps out, closed steps recorded
        var tick = await wakeUp.RunAsync(cancellationToken);
        LogWakeUp(log, tick.Starts.Started, tick.Starts.HeldOut, tick.Starts.Ended, tick.Sends.Sent, tick.Sends.Batches, tick.Sends.Missed, tick.Sends.Skipped, tick.Sends.PlansCompleted);

        // the weekly content run: once its week's occurrence has come, until it is done (a resume finishes a crashed pass)
        var weekly = await content.RunDueAsync(cancellationToken);
        LogContent(log, weekly.Outcome, weekly.Detail);

        // then the runs whose attribution window has closed get their outcome recorded, once
        foreach (var step in await outcomes.RecordClosedAsync(cancellationToken))
        {
            LogOutcome(log, step.RunId, step.Step);
        }
    }

    [LoggerMessage(LogLevel.Information, "Wake-up: {Started} plans started, {HeldOut} held out, {Ended} ended; {Sent} steps sent in {Batches} batches, {Missed} missed, {Skipped} skipped, {Completed} plans completed")]
    private static partial void LogWakeUp(ILogger logger, int started, int heldOut, int ended, int sent, int batches, int missed, int skipped, int completed);

    [LoggerMessage(LogLevel.Information, "Weekly content: {Outcome} ({Detail})")]
    private static partial void LogContent(ILogger logger, string outcome, string detail);

    [LoggerMessage(LogLevel.Information, "Playbook run {RunId} outcome: {Step}")]
    private static partial void LogOutcome(ILogger logger, string runId, string step);

    [LoggerMessage(LogLevel.Information, "Playbook {Playbook}: {Outcome} ({Detail}); timer past due {PastDue}")]
    private static partial void LogStart(ILogger logger, string playbook, string outcome, string detail, bool pastDue);
}
