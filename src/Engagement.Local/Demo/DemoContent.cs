using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Content;
using Engagement.Delivery;
using Engagement.Interactions;
using Engagement.Playbooks;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Options;

namespace Engagement.Local.Demo;

/// <summary>
/// The month demo's weekly content: a built-in catalogue (every habit category), the users' interests as their history
/// would have left them, the weekly run fired by the demo's playbook timer as the host's timer fires it, and the
/// simulated users' answers (<see cref="DemoReactions.OpensContent"/>) reported as <c>content_open</c> /
/// <c>content_click</c> events with the delivery ids of the ledger, through the ingest with the day's activity.
/// </summary>
public sealed class DemoContent(LocalEngine engine, DemoClock clock, DemoPopulation population, DemoReactions reactions, int seed)
{
    /// <summary>Items per category: more than the demo's weeks, so nobody runs out of unseen matches.</summary>
    private const int ItemsPerCategory = 8;

    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);

    // users of a content run and the last day of its week: their generated interactions carry no category until then
    private readonly Dictionary<string, int> _modelled = new(StringComparer.Ordinal);

    private sealed record Run(string RunId, DateTimeOffset SendsUntil, IReadOnlyDictionary<string, ContentRunPick> Picks, HashSet<string> Answered);

    /// <summary>The demo catalogue: <c>fitness-1</c> .. <c>fitness-8</c> and so on for each category, active from a month before the demo.</summary>
    public static IReadOnlyList<ContentItem> Catalogue(DateTimeOffset from) =>
        [.. DemoPopulation.Categories.SelectMany(c => Enumerable.Range(1, ItemsPerCategory).Select(k => new ContentItem(
            $"{c}-{k}", $"{c} #{k}", $"This week's {c} pick", $"app://content/{c}-{k}", [c], [], "en", from.AddDays(-30), null, 1)))];

    /// <summary>Imports the catalogue and writes each user's interest profile: their habit's interest from a purchase the day before the demo.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await engine.Get<ContentStore>().UpsertAsync(Catalogue(now), ct);
        var pick = engine.Get<IOptions<ContentPickOptions>>().Value;
        var shards = engine.Get<UserShards>();
        var table = await engine.Get<StorageClients>().TableAsync(TableNames.Users, ct);
        var batches = Enumerable.Range(0, population.Users).Select(DemoPopulation.UserId)
            .GroupBy(shards.Of).SelectMany(g => g.Chunk(100).Select(users => users.Select(u => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                new TableEntity(g.Key, u) { [UserEntity.InterestWeights] = InterestProfile.Empty.Add(ActivityType.Purchase, population.InterestOf(u)!, now.AddDays(-1), pick).Format() }))));
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (batch, token) => await table.SubmitTransactionAsync(batch, token));
    }

    /// <summary>A generated event as ingested: a content-run user's interaction loses its category during the run's week (the response model decides those).</summary>
    public ActivityEvent Own(ActivityEvent e, DateOnly day) =>
        e.Type == ActivityType.Interaction && e.Category is not null && _modelled.TryGetValue(e.UserId, out var until) && day.DayNumber <= until ? e with { Category = null } : e;

    /// <summary>The timer's content step, before the deliveries are drained: the weekly run when due, and the open runs' campaigns resumed.</summary>
    public async Task TimerAsync(ActivityCalendar calendar, Action<int, ActivityEvent> answer, CancellationToken ct)
    {
        var result = await engine.Get<ContentWeeklyRun>().RunDueAsync(ct);
        if (result is { Outcome: PlaybookStartOutcomes.Started, RunId: { } runId })
        {
            var at = (await engine.Get<ContentRunStore>().HeaderAsync(runId, ct))!.At;
            var picks = await engine.Get<ContentRunStore>().PicksAsync(runId, ct);
            _runs[runId] = new Run(runId, at.AddDays(engine.Get<IOptions<ContentWeeklyOptions>>().Value.ExpiresAfterDays), picks, new HashSet<string>(StringComparer.Ordinal));
            var runDay = calendar.DateOf(at);
            foreach (var p in picks.Values.Where(p => p.ItemId is not null && p.Categories.Count > 0))
            {
                _modelled[p.UserId] = Math.Max(_modelled.GetValueOrDefault(p.UserId), runDay.DayNumber + 6);
                if (reactions.OrganicContentDay(seed, p.UserId, runId) is { } offset)
                {
                    var day = runDay.AddDays(offset);
                    answer(day.DayNumber, new ActivityEvent($"demo-{runId}-{p.UserId}-o", p.UserId, ActivityType.Interaction, 0, p.Categories[0], calendar.StartOf(day).AddHours(20)));
                }
            }

            return; // handed off now; the drain sends them
        }

        foreach (var run in _runs.Values.Where(r => clock.GetUtcNow() <= r.SendsUntil))
        {
            foreach (var campaign in run.Picks.Values.Select(p => p.CampaignId).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                await engine.Get<CampaignResume>().ResumeAsync(campaign, ct);
            }
        }
    }

    /// <summary>After the drain: each user reached for the first time answers (or not) with an open, and maybe a click, in the next three days.</summary>
    public async Task AnswerAsync(ActivityCalendar calendar, Action<int, ActivityEvent> answer, CancellationToken ct)
    {
        foreach (var run in _runs.Values.Where(r => clock.GetUtcNow() <= r.SendsUntil.AddDays(1)))
        {
            var rows = await engine.Get<DeliveryLedger>().RowsOfPrefixAsync(ContentTrigger.RunPrefix(run.RunId), engine.Get<UserShards>().All, ct);
            foreach (var row in rows.Where(r => r.State == DeliveryStates.Accepted).OrderBy(r => r.UserId, StringComparer.Ordinal))
            {
                if (!run.Picks.TryGetValue(row.UserId, out var pick) || pick.ItemId is not { } item || !run.Answered.Add(row.UserId))
                {
                    continue;
                }

                var matching = population.InterestOf(row.UserId) is { } interest && pick.Categories.Contains(interest, StringComparer.Ordinal);
                if (reactions.OpensContent(seed, row.UserId, run.RunId, matching) is not var (hours, clicks))
                {
                    continue;
                }

                var at = (row.UpdatedAt ?? clock.GetUtcNow()).AddHours(hours);
                // a day's events go in at 23:30 of it: nothing later than 23:00, or it would be in the future then
                at = new[] { at, calendar.StartOf(calendar.DateOf(at)).AddHours(23) }.Min();
                var delivery = DeliveryKey.IdOf(row.PartitionKey, row.RowKey);
                var id = $"demo-{run.RunId}-{row.UserId}";
                answer(calendar.DayOf(at), new ActivityEvent(id + "-open", row.UserId, ActivityType.Interaction, 0, null, at, Content: new ContentInteraction(ContentAction.Open, item, delivery)));
                if (clicks)
                {
                    answer(calendar.DayOf(at), new ActivityEvent(id + "-click", row.UserId, ActivityType.Interaction, 0, null, at.AddMinutes(1), Content: new ContentInteraction(ContentAction.Click, item, delivery)));
                }
            }
        }
    }

    /// <summary>Every run's outcome as of now (the last run's window may still be open).</summary>
    public async Task<IReadOnlyList<ContentRunOutcome>> OutcomesAsync(CancellationToken ct)
    {
        var outcomes = new List<ContentRunOutcome>();
        foreach (var runId in _runs.Keys.OrderDescending(StringComparer.Ordinal))
        {
            if (await engine.Get<ContentOutcomes>().OfAsync(runId, ct) is { } outcome)
            {
                outcomes.Add(outcome);
            }
        }

        return outcomes;
    }
}
