using Engagement.Activity;
using Engagement.Content;
using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Options;

namespace Engagement.Interactions;

/// <summary>
/// The weekly content runs' outcomes (<c>engage playbook status content</c>). Load per run: the header (a point read),
/// the picks (one partition-key range), the run's deliveries (one partition-key range per shard table: every campaign
/// of the run starts with its id), the content interactions of its users since the run (one query per shard) and the
/// held-out users' <c>RecentInteractions</c> (by key, <see cref="UserStore.ColumnsOfAsync"/>); decide:
/// <see cref="ContentRunOutcome.Decide"/>.
/// </summary>
public sealed class ContentOutcomes(
    ContentWeeklyRun weekly,
    ContentRunStore runs,
    DeliveryLedger ledger,
    ContentInteractionStore interactions,
    UserStore users,
    UserShards shards,
    ActivityCalendar calendar,
    IOptions<ContentWeeklyOptions> options,
    TimeProvider time)
{
    /// <summary>The runs of the last <paramref name="weeks"/> weeks that exist, latest first.</summary>
    public async Task<IReadOnlyList<ContentRunOutcome>> RecentAsync(int weeks, CancellationToken ct)
    {
        var schedule = weekly.Schedule;
        var outcomes = new List<ContentRunOutcome>();
        foreach (var period in schedule.RecentPeriods(time.GetUtcNow(), weeks))
        {
            if (schedule.InPeriod(period) is { } run && await OfAsync(run.RunId, ct) is { } outcome)
            {
                outcomes.Add(outcome);
            }
        }

        return outcomes;
    }

    /// <summary>One run's outcome as of now; null when the run never started.</summary>
    public async Task<ContentRunOutcome?> OfAsync(string runId, CancellationToken ct)
    {
        if (await runs.HeaderAsync(runId, ct) is not { } header)
        {
            return null;
        }

        var picks = await runs.PicksAsync(runId, ct);
        var deliveries = await ledger.RowsOfPrefixAsync(ContentTrigger.RunPrefix(runId), shards.All, ct);
        var sentAt = deliveries.Where(d => d.State == DeliveryStates.Accepted)
            .GroupBy(d => d.UserId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(d => d.UpdatedAt ?? header.At), StringComparer.Ordinal);
        var since = picks.Count == 0 ? [] : await interactions.SinceAsync([.. picks.Keys], header.At, ct);
        var heldOut = picks.Values.Where(p => p.HeldOut && p.ItemId is not null).Select(p => p.UserId).ToList();
        var columns = heldOut.Count == 0 ? new Dictionary<string, Azure.Data.Tables.TableEntity>() : await users.ColumnsOfAsync(heldOut, [UserEntity.RecentInteractions], ct);
        var recent = columns.ToDictionary(c => c.Key, c => RecentInteractions.Parse(c.Value.GetString(UserEntity.RecentInteractions)), StringComparer.Ordinal);
        return ContentRunOutcome.Decide(runId, header.At, picks, sentAt, since, recent, calendar.DateOf(header.At), options.Value.AttributionDays);
    }
}
