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

/// <summary>A run's preview: the campaign preview of its trigger and what its SMS would cost.</summary>
public sealed record PlaybookPreview(PlaybookOccurrence Run, CampaignTrigger Trigger, CampaignPreviewResult Preview, SmsBill Bill);

/// <summary>SMS that would be sent, their segments and the price (segments from the composed samples, signature and opt-out line included).</summary>
public sealed record SmsBill(long Messages, long Segments, decimal PricePerSegment, string Currency)
{
    public decimal Total => Segments * PricePerSegment;
}

/// <summary>A run as recorded: its campaign (null: never started), deliveries by channel, state and reason, and its coupons.</summary>
public sealed record PlaybookRunStatus(string Period, string RunId, CampaignRecord? Campaign, IReadOnlyDictionary<(string Channel, string State, string Reason), long> Deliveries, long CouponsIssued = 0, long CouponsRedeemed = 0);

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

    /// <summary>The timer's body: for every enabled playbook, the run of its latest occurrence, if not started yet.</summary>
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
            results.Add(latest is null
                ? new PlaybookStart(name, null, PlaybookStartOutcomes.NotDue, $"{name}: the schedule has not fired yet")
                : await StartAsync(definition, latest, now, cancellationToken));
        }

        return results;
    }

    /// <summary>A manual run for a period (default: the ops zone's current one); the same run the timer would start.</summary>
    public async Task<PlaybookStart> StartAsync(string name, string? period, CancellationToken cancellationToken)
    {
        var (canonical, definition) = Find(name);
        if (!definition.Enabled)
        {
            return Disabled(canonical);
        }

        var run = Occurrence(canonical, definition, period);
        return await StartAsync(definition, run, time.GetUtcNow(), cancellationToken);
    }

    /// <summary>What a run (default: the next one) would do, without sending or recording anything; a definition that would be refused throws MalformedMessageException.</summary>
    public async Task<PlaybookPreview> PreviewAsync(string name, string? period, int samplesPerOutcome, CancellationToken cancellationToken)
    {
        var (canonical, definition) = Find(name);
        var run = Occurrence(canonical, definition, period, next: true);
        var trigger = parser.ParseAccepted(PlaybookTrigger.Build(definition, run));
        var result = await preview.PreviewAsync(trigger, Math.Max(1, samplesPerOutcome), cancellationToken);
        var messages = result.Counts.Where(c => c.Key.Channel == Channels.Sms && c.Key.Outcome == "send").Sum(c => c.Value);

        // texts differ in per-user values and language: price every message at the longest of the samples
        // and of the template in both languages with both opt-out lines (an upper bound)
        var perMessage = result.Samples.Where(s => s.Channel == Channels.Sms && s.Text is not null).Select(s => SmsText.Measure(s.Text!).Segments)
            .Concat(LongestSms(trigger)).DefaultIfEmpty(0).Max();
        var o = options.Value;
        return new PlaybookPreview(run, trigger, result, new SmsBill(messages, messages * perMessage, o.SmsPricePerSegment, o.SmsPriceCurrency));
    }

    /// <summary>The runs of <paramref name="periods"/> periods, the next run's first (it may be started ahead), started or not.</summary>
    public async Task<IReadOnlyList<PlaybookRunStatus>> StatusAsync(string name, int periods, CancellationToken cancellationToken)
    {
        var (canonical, definition) = Find(name);
        var schedule = ScheduleOf(canonical, definition);
        var result = new List<PlaybookRunStatus>();
        foreach (var period in schedule.RecentPeriods(schedule.Next(time.GetUtcNow()), periods))
        {
            var runId = PlaybookSchedule.RunId(canonical, period);
            var campaign = await campaigns.GetAsync(runId, cancellationToken);
            if (campaign is null)
            {
                result.Add(new PlaybookRunStatus(period, runId, null, new Dictionary<(string, string, string), long>()));
                continue;
            }

            var counts = await ledger.CountAsync(runId, shards.All, cancellationToken);
            var (issued, redeemed) = definition.Coupons.Count > 0 ? await wallet.CountAsync(runId, cancellationToken) : (0, 0);
            result.Add(new PlaybookRunStatus(period, runId, campaign, counts, issued, redeemed));
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

    private async Task<PlaybookStart> StartAsync(PlaybookDefinition definition, PlaybookOccurrence run, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await campaigns.GetAsync(run.RunId, cancellationToken) is { } existing)
        {
            LogAlreadyStarted(log, run.RunId, existing.State);
            return new PlaybookStart(run.Playbook, run.RunId, PlaybookStartOutcomes.AlreadyStarted, $"{run.RunId} was started already ({existing.State}); nothing new");
        }

        var expiresAt = PlaybookTrigger.ExpiresAt(definition, run);
        if (expiresAt <= now)
        {
            LogMissed(log, run.RunId, run.At, expiresAt);
            return new PlaybookStart(run.Playbook, run.RunId, PlaybookStartOutcomes.Missed, $"{run.RunId} (due {run.At:yyyy-MM-dd HH:mm}Z) expired at {expiresAt:yyyy-MM-dd HH:mm}Z before it was started; nothing sent");
        }

        var body = PlaybookTrigger.Build(definition, run);
        try
        {
            parser.Parse(body);
        }
        catch (MalformedMessageException ex)
        {
            return new PlaybookStart(run.Playbook, run.RunId, PlaybookStartOutcomes.Refused, ex.Message);
        }

        var queue = await storage.QueueAsync(QueueNames.CampaignTriggers, cancellationToken);
        await queue.SendMessageAsync(body, cancellationToken);
        LogStarted(log, run.RunId, run.At);
        return new PlaybookStart(run.Playbook, run.RunId, PlaybookStartOutcomes.Started, $"{run.RunId} enqueued on {QueueNames.CampaignTriggers} (sends from {run.At:yyyy-MM-dd HH:mm}Z)");
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
