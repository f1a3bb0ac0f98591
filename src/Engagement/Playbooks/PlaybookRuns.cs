using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Messaging;
using Engagement.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Playbooks;

/// <summary>What starting a playbook run did: <see cref="PlaybookStartOutcomes"/>, with a sentence for people.</summary>
public sealed record PlaybookStart(string Playbook, string? RunId, string Outcome, string Detail);

public static class PlaybookStartOutcomes
{
    /// <summary>The run's trigger is on the campaign-triggers queue.</summary>
    public const string Started = "started";

    /// <summary>The run exists already (a second timer, a catch-up, another instance or an operator): nothing new.</summary>
    public const string AlreadyStarted = "already-started";

    public const string Disabled = "disabled";

    /// <summary>The schedule has not fired yet (before the first occurrence).</summary>
    public const string NotDue = "not-due";

    /// <summary>The occurrence's run expired before anyone started it (downtime longer than ExpiresAfterDays).</summary>
    public const string Missed = "missed";

    /// <summary>The trigger would be refused by the queue handler (the reason says why).</summary>
    public const string Refused = "refused";
}

public sealed class UnknownPlaybookException(string name, IEnumerable<string> known)
    : Exception($"unknown playbook '{name}' (known: {string.Join(", ", known)})");

/// <summary>One playbook as configured, for listings.</summary>
public sealed record PlaybookInfo(string Name, PlaybookDefinition Definition, DateTimeOffset Next, string NextPeriod);

/// <summary>A run's preview (one per campaign of the run: a band's, or the run's own): the campaign preview of its trigger and what its SMS would cost.</summary>
public sealed record PlaybookPreview(PlaybookOccurrence Run, CampaignTrigger Trigger, CampaignPreviewResult Preview, SmsBill Bill)
{
    /// <summary><c>levels 1-3</c> for a band's campaign, else empty.</summary>
    public string Levels { get; init; } = "";
}

/// <summary>SMS that would be sent, their segments and the price (segments from the composed samples, signature and opt-out line included).</summary>
public sealed record SmsBill(long Messages, long Segments, decimal PricePerSegment, string Currency)
{
    public decimal Total => Segments * PricePerSegment;
}

/// <summary>
/// A run (a band's campaign of it, for a playbook with bands: <see cref="RunId"/> is the campaign id) as recorded: its
/// campaign (null: never started), deliveries by channel, state and reason, and its coupons.
/// </summary>
public sealed record PlaybookRunStatus(string Period, string RunId, CampaignRecord? Campaign, IReadOnlyDictionary<(string Channel, string State, string Reason), long> Deliveries, long CouponsIssued = 0, long CouponsRedeemed = 0)
{
    /// <summary><c>levels 1-3</c> for a band's campaign, else empty.</summary>
    public string Levels { get; init; } = "";
}

/// <summary>
/// Starts playbook runs as campaign triggers on the one delivery path. The run id is the playbook
/// and its period, and the trigger text is a function of the definition and the occurrence, so
/// whatever starts a run (timer, late catch-up, second instance, operator) the campaigns table
/// sees one campaign.
/// </summary>
public sealed partial class PlaybookRuns(
    IOptions<PlaybookOptions> options,
    ActivityCalendar calendar,
    CampaignTriggerParser parser,
    CampaignStore campaigns,
    CampaignPreview preview,
    MessageTemplates templates,
    IOptions<SmsOptions> sms,
    DeliveryLedger ledger,
    Wallet.WalletStore wallet,
    UserShards shards,
    StorageClients storage,
    TimeProvider time,
    ILogger<PlaybookRuns> log)
{
    public IReadOnlyList<PlaybookInfo> List()
    {
        var now = time.GetUtcNow();
        return [.. options.Value.Definitions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d =>
        {
            var schedule = ScheduleOf(d.Key, d.Value);
            var next = schedule.Next(now);
            return new PlaybookInfo(d.Key, d.Value, next, schedule.PeriodOf(next));
        })];
    }

    /// <summary>The timer's body: for every enabled playbook, the run of its latest occurrence, if not started yet (one result per campaign of the run).</summary>
    public async Task<IReadOnlyList<PlaybookStart>> StartDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var results = new List<PlaybookStart>();
        foreach (var (name, definition) in options.Value.Definitions.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (!definition.Enabled)
            {
                results.Add(Disabled(name));
                continue;
            }

            var latest = ScheduleOf(name, definition).Latest(now);
            if (latest is null)
            {
                results.Add(new PlaybookStart(name, null, PlaybookStartOutcomes.NotDue, $"{name}: the schedule has not fired yet"));
                continue;
            }

            results.AddRange(await StartAsync(definition, latest, now, cancellationToken));
        }

        return results;
    }

    /// <summary>A manual run for a period (default: the ops zone's current one); the same run the timer would start. A run of bands: one outcome, each band's detail.</summary>
    public async Task<PlaybookStart> StartAsync(string name, string? period, CancellationToken cancellationToken)
    {
        var (canonical, definition) = Find(name);
        if (!definition.Enabled)
        {
            return Disabled(canonical);
        }

        var run = Occurrence(canonical, definition, period);
        var parts = await StartAsync(definition, run, time.GetUtcNow(), cancellationToken);
        return parts.Count == 1 ? parts[0] : new PlaybookStart(canonical, run.RunId, Overall(parts), string.Join("; ", parts.Select(p => p.Detail)));
    }

    /// <summary>A run of several campaigns (bands) as one outcome: refused or started if any was, else already started if any was, else missed.</summary>
    private static string Overall(IReadOnlyList<PlaybookStart> parts) =>
        new[] { PlaybookStartOutcomes.Refused, PlaybookStartOutcomes.Started, PlaybookStartOutcomes.AlreadyStarted }
            .FirstOrDefault(o => parts.Any(p => p.Outcome == o)) ?? PlaybookStartOutcomes.Missed;

    /// <summary>
    /// What a run (default: the next one) would do, one preview per campaign of the run (a band's, or the run's own), without
    /// sending or recording anything; a definition that would be refused throws MalformedMessageException.
    /// </summary>
    public async Task<IReadOnlyList<PlaybookPreview>> PreviewAsync(string name, string? period, int samplesPerOutcome, CancellationToken cancellationToken)
    {
        var (canonical, definition) = Find(name);
        var run = Occurrence(canonical, definition, period, next: true);
        var previews = new List<PlaybookPreview>();
        foreach (var campaign in PlaybookTrigger.CampaignsOf(definition, run.RunId))
        {
            var trigger = parser.ParseAccepted(PlaybookTrigger.Build(definition, run, campaign.Band));
            var result = await preview.PreviewAsync(trigger, Math.Max(1, samplesPerOutcome), cancellationToken);
            var messages = result.Counts.Where(c => c.Key.Channel == Channels.Sms && c.Key.Outcome == "send").Sum(c => c.Value);

            // texts differ in per-user values and language: price every message at the longest of the samples
            // and of the template in both languages with both opt-out lines (an upper bound)
            var perMessage = result.Samples.Where(s => s.Channel == Channels.Sms && s.Text is not null).Select(s => SmsText.Measure(s.Text!).Segments)
                .Concat(LongestSms(trigger)).DefaultIfEmpty(0).Max();
            var o = options.Value;
            previews.Add(new PlaybookPreview(run, trigger, result, new SmsBill(messages, messages * perMessage, o.SmsPricePerSegment, o.SmsPriceCurrency)) { Levels = campaign.Levels });
        }

        return previews;
    }

    /// <summary>The runs of <paramref name="periods"/> periods, the next run's first (it may be started ahead), started or not; a run of bands: one line per band.</summary>
    public async Task<IReadOnlyList<PlaybookRunStatus>> StatusAsync(string name, int periods, CancellationToken cancellationToken)
    {
        var (canonical, definition) = Find(name);
        var schedule = ScheduleOf(canonical, definition);
        var result = new List<PlaybookRunStatus>();
        foreach (var period in schedule.RecentPeriods(schedule.Next(time.GetUtcNow()), periods))
        {
            foreach (var (runId, band) in PlaybookTrigger.CampaignsOf(definition, PlaybookSchedule.RunId(canonical, period)))
            {
                var levels = new PlaybookCampaign(runId, band).Levels;
                var campaign = await campaigns.GetAsync(runId, cancellationToken);
                if (campaign is null)
                {
                    result.Add(new PlaybookRunStatus(period, runId, null, new Dictionary<(string, string, string), long>()) { Levels = levels });
                    continue;
                }

                var counts = await ledger.CountAsync(runId, shards.All, cancellationToken);
                var (issued, redeemed) = PlaybookTrigger.CouponsOf(definition, band).Count > 0 ? await wallet.CountAsync(runId, cancellationToken) : (0, 0);
                result.Add(new PlaybookRunStatus(period, runId, campaign, counts, issued, redeemed) { Levels = levels });
            }
        }

        return result;
    }

    private IEnumerable<int> LongestSms(CampaignTrigger trigger)
    {
        if (trigger.Channels.FirstOrDefault(c => c.Channel == Channels.Sms) is not { } channel)
        {
            yield break;
        }

        foreach (var language in Languages.All)
        {
            var sample = TemplateValues.Sample(trigger.Name, language);
            if (trigger.Coupons.Count > 0)
            {
                sample = sample with { CouponValue = trigger.Coupons[0].Value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), CouponCurrency = trigger.Coupons[0].Currency, CouponCount = trigger.Coupons.Count };
            }

            var text = templates.Render(channel.Template, sample, trigger.Variables);
            foreach (var phone in new[] { "+8613800138000", "+14155550100" })
            {
                yield return SmsText.Compose(text, phone, sms.Value).Segments;
            }
        }
    }

    /// <summary>
    /// Starts the campaigns of a run that do not exist yet, one result each. All or none of the new ones are enqueued: a
    /// band that would be refused holds back the others (a member day for some levels only would be unfair to the rest).
    /// </summary>
    private async Task<IReadOnlyList<PlaybookStart>> StartAsync(PlaybookDefinition definition, PlaybookOccurrence run, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var results = new List<PlaybookStart>();
        var due = new List<(string CampaignId, string Body)>();
        var expiresAt = PlaybookTrigger.ExpiresAt(definition, run);
        foreach (var (campaignId, band) in PlaybookTrigger.CampaignsOf(definition, run.RunId))
        {
            if (await campaigns.GetAsync(campaignId, cancellationToken) is { } existing)
            {
                LogAlreadyStarted(log, campaignId, existing.State);
                results.Add(new PlaybookStart(run.Playbook, campaignId, PlaybookStartOutcomes.AlreadyStarted, $"{campaignId} was started already ({existing.State}); nothing new"));
            }
            else if (expiresAt <= now)
            {
                LogMissed(log, campaignId, run.At, expiresAt);
                results.Add(new PlaybookStart(run.Playbook, campaignId, PlaybookStartOutcomes.Missed, $"{campaignId} (due {run.At:yyyy-MM-dd HH:mm}Z) expired at {expiresAt:yyyy-MM-dd HH:mm}Z before it was started; nothing sent"));
            }
            else
            {
                due.Add((campaignId, PlaybookTrigger.Build(definition, run, band)));
            }
        }

        var refused = new List<PlaybookStart>();
        foreach (var (campaignId, body) in due)
        {
            try
            {
                parser.Parse(body);
            }
            catch (MalformedMessageException ex)
            {
                refused.Add(new PlaybookStart(run.Playbook, campaignId, PlaybookStartOutcomes.Refused, ex.Message));
            }
        }

        if (refused.Count > 0)
        {
            results.AddRange(due.Where(d => refused.All(r => r.RunId != d.CampaignId)).Select(d =>
                new PlaybookStart(run.Playbook, d.CampaignId, PlaybookStartOutcomes.Refused, $"{d.CampaignId} not enqueued: another campaign of {run.RunId} would be refused")));
            results.AddRange(refused);
            return results;
        }

        var queue = await storage.QueueAsync(QueueNames.CampaignTriggers, cancellationToken);
        foreach (var (campaignId, body) in due)
        {
            await queue.SendMessageAsync(body, cancellationToken);
            LogStarted(log, campaignId, run.At);
            results.Add(new PlaybookStart(run.Playbook, campaignId, PlaybookStartOutcomes.Started, $"{campaignId} enqueued on {QueueNames.CampaignTriggers} (sends from {run.At:yyyy-MM-dd HH:mm}Z)"));
        }

        return results;
    }

    private PlaybookStart Disabled(string name)
    {
        LogDisabled(log, name);
        return new PlaybookStart(name, null, PlaybookStartOutcomes.Disabled, $"{name} is disabled (Playbooks:{name}:Enabled=false): nothing enqueued, nothing sent");
    }

    private PlaybookOccurrence Occurrence(string name, PlaybookDefinition definition, string? period, bool next = false)
    {
        var schedule = ScheduleOf(name, definition);
        var now = time.GetUtcNow();
        period ??= schedule.PeriodOf(next ? schedule.Next(now) : now);
        return schedule.InPeriod(period) ?? throw new FormatException($"{name}: the schedule '{definition.Schedule}' does not fire in period {period}");
    }

    private (string Name, PlaybookDefinition Definition) Find(string name)
    {
        var definitions = options.Value.Definitions;
        var key = definitions.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        return key is null ? throw new UnknownPlaybookException(name, definitions.Keys.Order(StringComparer.Ordinal)) : (key, definitions[key]);
    }

    private PlaybookSchedule ScheduleOf(string name, PlaybookDefinition definition) => PlaybookSchedule.Of(name, definition, calendar.Zone);

    [LoggerMessage(LogLevel.Information, "Playbook run {RunId} enqueued (occurrence {At:O})")]
    private static partial void LogStarted(ILogger logger, string runId, DateTimeOffset at);

    [LoggerMessage(LogLevel.Information, "Playbook run {RunId} exists already ({State}); nothing new")]
    private static partial void LogAlreadyStarted(ILogger logger, string runId, string state);

    [LoggerMessage(LogLevel.Warning, "Playbook {Playbook} is disabled: nothing enqueued")]
    private static partial void LogDisabled(ILogger logger, string playbook);

    [LoggerMessage(LogLevel.Warning, "Playbook run {RunId} (due {At:O}) expired at {ExpiresAt:O} before it was started: missed, nothing sent")]
    private static partial void LogMissed(ILogger logger, string runId, DateTimeOffset at, DateTimeOffset expiresAt);
}
