using Azure.Storage.Queues.Models;
using Engagement.Messaging;
using Engagement.Segmentation;
using Engagement.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Engagement.Functions;

/// <summary>Thin adapters: the nightly timer only enqueues work; shard work runs off the queue.</summary>
public sealed partial class NightlyFunctions(NightlyJob job, QueueHandlers handlers, ILogger<NightlyFunctions> log)
{
    /// <summary>
    /// NightlySchedule is a six-field NCRONTAB in UTC (Flex/Linux Consumption ignore WEBSITE_TIME_ZONE):
    /// "0 0 18 * * *" is 02:00 in Asia/Shanghai. A run missed while the app was down is past due and
    /// runs at once on the next start; StartOrResume also picks up an unfinished run of the same date.
    /// </summary>
    [Function(nameof(NightlyTimer))]
    public async Task NightlyTimer([TimerTrigger("%" + NightlySchedule.SettingName + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (timer.IsPastDue)
        {
            LogPastDue(log);
        }

        var run = await job.StartAsync(job.DefaultAsOf(), NightlyStartMode.StartOrResume, cancellationToken);
        LogRun(log, run.RunId, run.Phase);
    }

    [LoggerMessage(LogLevel.Warning, "Nightly timer is past due (a run was missed while the app was down); starting now")]
    private static partial void LogPastDue(ILogger logger);

    [LoggerMessage(LogLevel.Information, "Nightly run {RunId} is in phase {Phase}")]
    private static partial void LogRun(ILogger logger, string runId, string phase);

    [Function(nameof(NightlyShard))]
    public Task NightlyShard([QueueTrigger(QueueNames.NightlyShards)] QueueMessage message, CancellationToken cancellationToken) =>
        handlers.HandleAsync(new QueueEnvelope(QueueNames.NightlyShards, message.MessageId, message.Body.ToString(), message.DequeueCount), cancellationToken);
}
