using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Outcomes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Playbooks;

/// <summary>What the outcome step did for one run (one band's campaign of a run of bands: <c>RunId</c> is the campaign id): <c>recorded</c> (final numbers written), <c>waiting</c> (its window can still be open), <c>done</c> (recorded before).</summary>
public sealed record PlaybookOutcomeStep(string Playbook, string RunId, string Step, RunOutcome? Outcome);

/// <summary>
/// Records each playbook run's outcome once its attribution window has closed: every exposure happens
/// before the run expires, so from expiry + attribution days on the numbers are final. Runs from the
/// last few periods are looked at (a timer that was down catches up); a run recorded closed is left alone,
/// so the timer firing again costs one point read per run.
/// </summary>
public sealed partial class PlaybookOutcomes(
    IOptions<PlaybookOptions> options,
    ActivityCalendar calendar,
    CampaignStore campaigns,
    RunOutcomes outcomes,
    TimeProvider time,
    ILogger<PlaybookOutcomes> log)
{
    /// <summary>Periods looked back over: a monthly window of 14 days closes within the next period.</summary>
    public const int PeriodsBack = 3;

    public async Task<IReadOnlyList<PlaybookOutcomeStep>> RecordClosedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var steps = new List<PlaybookOutcomeStep>();
        foreach (var (name, definition) in options.Value.Definitions.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            var schedule = PlaybookSchedule.Of(name, definition, calendar.Zone);
            foreach (var period in schedule.RecentPeriods(now, PeriodsBack))
            {
                if (schedule.InPeriod(period) is not { } run)
                {
                    continue;
                }

                // a run of bands is measured band by band: each is a campaign with its own audience and holdout
                foreach (var campaign in PlaybookTrigger.CampaignsOf(definition, run.RunId))
                {
                    if (await campaigns.GetAsync(campaign.CampaignId, cancellationToken) is not null)
                    {
                        steps.Add(await StepAsync(name, definition, run, campaign.CampaignId, now, cancellationToken));
                    }

                    // else no run for the period (disabled, not due yet, missed)
                }
            }
        }

        return steps;
    }

    private async Task<PlaybookOutcomeStep> StepAsync(string name, PlaybookDefinition definition, PlaybookOccurrence run, string campaignId, DateTimeOffset now, CancellationToken ct)
    {
        if (now < PlaybookTrigger.ExpiresAt(definition, run).AddDays(definition.AttributionDays))
        {
            return new PlaybookOutcomeStep(name, campaignId, "waiting", null);
        }

        if (await outcomes.LatestAsync(campaignId, ct) is { WindowClosed: true } recorded && recorded.WindowDays == definition.AttributionDays)
        {
            return new PlaybookOutcomeStep(name, campaignId, "done", recorded);
        }

        var outcome = await outcomes.RecordAsync(campaignId, definition.AttributionDays, ct);
        LogRecorded(log, campaignId, outcome.Reached, outcome.ReachedActive, outcome.HeldOut, outcome.HeldOutActive);
        return new PlaybookOutcomeStep(name, campaignId, "recorded", outcome);
    }

    [LoggerMessage(LogLevel.Information, "Playbook run {RunId} outcome recorded: {ReachedActive}/{Reached} reached active, {HeldOutActive}/{HeldOut} held out active")]
    private static partial void LogRecorded(ILogger logger, string runId, int reached, int reachedActive, long heldOut, int heldOutActive);
}
