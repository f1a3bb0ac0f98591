using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Messaging;
using Engagement.Playbooks;
using Engagement.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Content;

/// <summary>What one weekly run did (<see cref="Outcome"/>: a <see cref="PlaybookStartOutcomes"/> value; done runs say <c>already-started</c>).</summary>
public sealed record ContentRunResult(string? RunId, string Outcome, string Detail, int Picked = 0, int HeldOut = 0, int NoPick = 0, int Campaigns = 0, int HandedOff = 0);

/// <summary>
/// The weekly content run (issue 13), run by the playbook timer and by <c>engage playbook run content</c>. Load: the
/// catalogue, the run's recorded picks, and one pass over the tier reading interests and <c>ContentSent</c>; decide
/// (<see cref="ContentWeeklyDecisions"/>, pure); save: each picked user's <c>ContentSent</c>, then the picks, then the
/// campaigns handed to the pipeline, then the run marked done. A crash anywhere resumes on the next timer: recorded users
/// are not picked again and every recorded campaign is handed off again with the same text (docs/decisions.md).
/// </summary>
public sealed partial class ContentWeeklyRun(
    ContentStore catalogue,
    ContentRunStore runs,
    UserStore users,
    CampaignTriggerHandler handler,
    CampaignStore campaigns,
    IEnumerable<IChannelSender> senders,
    IOptions<ContentWeeklyOptions> options,
    IOptions<ContentPickOptions> pick,
    IOptions<CampaignOptions> campaignOptions,
    ActivityCalendar calendar,
    TimeProvider time,
    ILogger<ContentWeeklyRun> log)
{
    /// <summary>The run ids' prefix: every campaign of a run starts <c>content-</c> (the contract with the interactions' store).</summary>
    public const string Playbook = "content";

    private static readonly string[] PassColumns = [UserEntity.InterestWeights, UserEntity.ContentSent];

    private readonly bool _push = senders.Any(s => s.Channel == Channels.Push);

    public PlaybookSchedule Schedule => new(Playbook, options.Value.Schedule, PlaybookPeriod.Week, calendar.Zone);

    /// <summary>The timer's body: the run of the schedule's latest occurrence, unless it is done (or expired, or not due).</summary>
    public async Task<ContentRunResult> RunDueAsync(CancellationToken ct)
    {
        var latest = Schedule.Latest(time.GetUtcNow());
        return latest is null
            ? new ContentRunResult(null, PlaybookStartOutcomes.NotDue, "content: the schedule has not fired yet")
            : await RunAsync(latest, ct);
    }

    /// <summary>The run of <paramref name="period"/> (<c>2026-W49</c>; default: this week in the ops zone), as the timer would run it.</summary>
    public Task<ContentRunResult> RunAsync(string? period, CancellationToken ct)
    {
        var schedule = Schedule;
        period ??= schedule.PeriodOf(time.GetUtcNow());
        var run = schedule.InPeriod(period) ?? throw new FormatException($"content: the schedule '{options.Value.Schedule}' does not fire in period {period}");
        return RunAsync(run, ct);
    }

    private async Task<ContentRunResult> RunAsync(PlaybookOccurrence run, CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var header = await runs.HeaderAsync(run.RunId, ct);
        if (header?.State == ContentRunStates.Done)
        {
            return new ContentRunResult(run.RunId, PlaybookStartOutcomes.AlreadyStarted, $"{run.RunId} is done ({header.Picked} picked, {header.HeldOut} held out); nothing new",
                header.Picked, header.HeldOut, header.NoPick, header.Campaigns);
        }

        // a run that recorded picks is finished even when turned off since: its users were promised their item
        if (header is null && !o.Enabled)
        {
            return new ContentRunResult(run.RunId, PlaybookStartOutcomes.Disabled, "content is disabled (Content:Weekly:Enabled=false): nothing picked, nothing sent");
        }

        // a later week's run asked for by hand waits for its occurrence: its items would otherwise go out this week
        if (run.At > now)
        {
            return new ContentRunResult(run.RunId, PlaybookStartOutcomes.NotDue, $"{run.RunId} is due {run.At:yyyy-MM-dd HH:mm}Z; nothing picked before then");
        }

        var expiresAt = run.At.AddDays(o.ExpiresAfterDays);
        if (expiresAt <= now)
        {
            LogMissed(log, run.RunId, expiresAt);
            return new ContentRunResult(run.RunId, PlaybookStartOutcomes.Missed, $"{run.RunId} (due {run.At:yyyy-MM-dd HH:mm}Z) expired at {expiresAt:yyyy-MM-dd HH:mm}Z; nothing sent");
        }

        if (header is null)
        {
            await runs.SetHeaderAsync(new ContentRunHeader(run.RunId, run.At, ContentRunStates.Running, 0, 0, 0, 0), ct);
        }

        // load: the catalogue, what the run recorded, one pass over the tier
        var items = await catalogue.ListAsync(ct);
        var recorded = await runs.PicksAsync(run.RunId, ct);
        var tier = await ReadTierAsync(o.Tier, ct);
        var index = ContentPickIndex.Build(items, now, ContentWeeklyDecisions.Popularity(tier, run.At, pick.Value.RepeatWindow));

        var plan = ContentWeeklyDecisions.Decide(run.RunId, run.At, tier, recorded, index, pick.Value, o.HoldoutPercent);

        // save, before the hand-off: the column first (a pass dying after it finds this run's item there), then the picks
        await users.SetColumnAsync(UserEntity.ContentSent, [.. plan.SentColumns.Select(s => (s.UserId, (object)s.Sent))], ct);
        await runs.RecordAsync(run.RunId, plan.Picks, ct);
        LogRecorded(log, run.RunId, plan.Picks.Count, recorded.Count);

        var all = recorded.Values.Concat(plan.Picks).ToList();
        var handed = await HandOffAsync(run, all, items, expiresAt, ct);
        var done = new ContentRunHeader(run.RunId, run.At, ContentRunStates.Done,
            all.Count(p => !p.HeldOut && p.CampaignId is not null), all.Count(p => p.HeldOut), all.Count(p => !p.HeldOut && p.ItemId is null),
            all.Select(p => p.CampaignId).OfType<string>().Distinct(StringComparer.Ordinal).Count());
        await runs.SetHeaderAsync(done, ct);
        LogDone(log, run.RunId, done.Picked, done.HeldOut, done.NoPick, done.Campaigns, handed);
        return new ContentRunResult(run.RunId, PlaybookStartOutcomes.Started,
            $"{run.RunId}: {done.Picked} users picked an item ({done.Campaigns} campaigns, {handed} handed off now), {done.HeldOut} held out, {done.NoPick} with nothing left to pick",
            done.Picked, done.HeldOut, done.NoPick, done.Campaigns, handed);
    }

    /// <summary>Every campaign of the run not planned yet goes to the pipeline: the stored text of one accepted before a crash, else built from the picks.</summary>
    private async Task<int> HandOffAsync(PlaybookOccurrence run, IReadOnlyList<ContentRunPick> picks, IReadOnlyList<ContentItem> items, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var byId = items.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var groups = picks.Where(p => p.CampaignId is not null && !p.HeldOut).GroupBy(p => p.CampaignId!, StringComparer.Ordinal).ToList();
        var handed = 0;
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (group, token) =>
        {
            var stored = await campaigns.GetAsync(group.Key, token);
            if (stored?.State == CampaignStates.Planned)
            {
                return;
            }

            var itemId = group.First().ItemId!;
            if (stored is null && !byId.ContainsKey(itemId))
            {
                LogRefused(log, group.Key, $"item '{itemId}' is not in the catalogue any more");
                return;
            }

            try
            {
                await handler.HandleAsync(stored?.Trigger ?? ContentTrigger.Build(group.Key, run.Period, byId[itemId], group.Select(p => p.UserId), expiresAt, _push, campaignOptions.Value.MaxTemplateChars), token);
                Interlocked.Increment(ref handed);
            }
            catch (MalformedMessageException ex)
            {
                LogRefused(log, group.Key, ex.Message); // an item's text the pipeline refuses: not retried every ten minutes
            }
        });

        return handed;
    }

    /// <summary>The tier's users with their interests and sends, in one query per shard.</summary>
    private async Task<IReadOnlyList<ContentWeeklyUser>> ReadTierAsync(string tier, CancellationToken ct) =>
        [.. (await users.ColumnsOfTierAsync(tier, PassColumns, ct)).Select(UserOf)];

    internal static ContentWeeklyUser UserOf(TableEntity e) => new(
        e.RowKey,
        InterestProfile.TryParse(e.GetString(UserEntity.InterestWeights), out var profile) ? profile : InterestProfile.Empty,
        ContentSentText.Parse(e.GetString(UserEntity.ContentSent)));

    [LoggerMessage(LogLevel.Information, "Content run {RunId}: {Picks} picks recorded ({Recorded} recorded before); handing off")]
    private static partial void LogRecorded(ILogger logger, string runId, int picks, int recorded);

    [LoggerMessage(LogLevel.Information, "Content run {RunId} done: {Picked} picked, {HeldOut} held out, {NoPick} with nothing to pick, {Campaigns} campaigns ({Handed} handed off by this pass)")]
    private static partial void LogDone(ILogger logger, string runId, int picked, int heldOut, int noPick, int campaigns, int handed);

    [LoggerMessage(LogLevel.Warning, "Content run {RunId} expired at {ExpiresAt:O} before it was done: missed")]
    private static partial void LogMissed(ILogger logger, string runId, DateTimeOffset expiresAt);

    [LoggerMessage(LogLevel.Error, "Content campaign {CampaignId} was not handed off: {Reason}")]
    private static partial void LogRefused(ILogger logger, string campaignId, string reason);
}
