using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.Outcomes;

/// <summary>
/// A campaign's wake-up result: of the users it reached, how many were active within the window,
/// against the users held out of it (the lift is the campaign's own effect, not the season's).
/// </summary>
public sealed record CampaignOutcome(string CampaignId, int WindowDays, int Reached, int ReachedActive, int HeldOut, int HeldOutActive, int StillInWindow)
{
    public double? Rate => Reached == 0 ? null : (double)ReachedActive / Reached;

    public double? HoldoutRate => HeldOut == 0 ? null : (double)HeldOutActive / HeldOut;

    /// <summary>Percentage points the campaign added over its holdout.</summary>
    public double? Lift => Rate is { } r && HoldoutRate is { } h ? (r - h) * 100 : null;

    /// <summary><see cref="Lift"/> with its 95% interval (Newcombe's hybrid score), in percentage points; null without both groups.</summary>
    public Interval? LiftInterval => ProportionDifference.Newcombe(ReachedActive, Reached, HeldOutActive, HeldOut)?.Scale(100);
}

/// <summary>
/// Measures and records reactivations (the ops team's wake-up rate). A user is <b>reached</b> on the
/// ops-calendar day their first delivery of the campaign was accepted (any channel), <b>held out</b>
/// from the day the campaign was due (planned, or its <c>sendAt</c> when later: a holdout measured
/// from the planning day of a campaign sent days after would count the days before any message); either is <b>reactivated</b> when active on any day from
/// then for <c>windowDays</c> days. Each reactivated user is written to <c>reactivations</c>
/// (PartitionKey the campaign, RowKey <see cref="RowKey"/>; re-measuring rewrites the same rows), so
/// the record survives the activity window moving on. Users whose window is still open count as measured so
/// far (<see cref="CampaignOutcome.StillInWindow"/>).
/// </summary>
public sealed class Reactivations(StorageClients storage, UserShards shards, DeliveryLedger ledger, CampaignStore campaigns, CampaignTriggerParser parser, ActivityCalendar calendar, TimeProvider time)
{
    private static readonly string[] ActivityColumns = ["RowKey", UserEntity.LastActiveDay, UserEntity.FirstActiveDay, UserEntity.ActiveDays];

    private sealed record Exposure(string UserId, string Shard, bool HeldOut, DateTimeOffset At, string Channels);

    /// <summary>One row per window measured: <c>w14|u123</c>. A user active in a window stays so, so rows are only ever added.</summary>
    public static string RowKey(int windowDays, string userId) => $"w{windowDays:D2}|{userId}";

    public async Task<CampaignOutcome> MeasureAsync(string campaignId, int windowDays, CancellationToken cancellationToken) =>
        await MeasureAsync(campaignId, windowDays, await ledger.RowsAsync(campaignId, shards.All, cancellationToken), cancellationToken);

    /// <param name="rows">The campaign's ledger rows, for a caller that has read them for its own counts already.</param>
    public async Task<CampaignOutcome> MeasureAsync(string campaignId, int windowDays, IReadOnlyList<DeliveryRow> rows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowDays, 1);
        var sendAt = await campaigns.GetAsync(campaignId, cancellationToken) is { } campaign ? parser.ParseAccepted(campaign.Trigger).SendAt : null;
        var exposures = Exposures(rows, sendAt);
        var today = calendar.DayOf(time.GetUtcNow());
        var table = await storage.TableAsync(TableNames.Reactivations, cancellationToken);
        int reachedActive = 0, heldOutActive = 0, open = 0;
        foreach (var shard in exposures.GroupBy(e => e.Shard))
        {
            var activity = await ActivityAsync(shard.Key, shard.Select(e => e.UserId).ToList(), cancellationToken);
            var records = new List<TableEntity>();
            foreach (var e in shard)
            {
                var from = calendar.DayOf(e.At);
                var last = from + windowDays - 1;
                open += today < last ? 1 : 0;
                var seen = Math.Min(last, today); // days after today have no activity yet
                var activeOn = activity.TryGetValue(e.UserId, out var a) ? Enumerable.Range(from, Math.Max(0, seen - from + 1)).FirstOrDefault(a.IsActiveOn, -1) : -1;
                if (activeOn < 0)
                {
                    continue;
                }

                if (e.HeldOut)
                {
                    heldOutActive++;
                }
                else
                {
                    reachedActive++;
                }

                records.Add(new TableEntity(campaignId, RowKey(windowDays, e.UserId))
                {
                    ["UserId"] = e.UserId,
                    ["HeldOut"] = e.HeldOut,
                    ["ExposedOn"] = DateOnly.FromDayNumber(from).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                    ["ActiveOn"] = DateOnly.FromDayNumber(activeOn).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                    ["Channels"] = e.Channels,
                    ["WindowDays"] = windowDays,
                });
            }

            foreach (var batch in records.Chunk(100))
            {
                await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
            }
        }

        return new CampaignOutcome(campaignId, windowDays, exposures.Count(e => !e.HeldOut), reachedActive, exposures.Count(e => e.HeldOut), heldOutActive, open);
    }

    /// <summary>One exposure per user: reached (an accepted delivery, earliest wins) or held out; users neither reached nor held out are not in the measure.</summary>
    private static List<Exposure> Exposures(IEnumerable<DeliveryRow> rows, DateTimeOffset? sendAt)
    {
        var list = new List<Exposure>();
        foreach (var user in rows.GroupBy(r => r.UserId, StringComparer.Ordinal))
        {
            var shard = user.First().Shard;
            var accepted = user.Where(r => r.State == DeliveryStates.Accepted).ToList();
            if (accepted.Count > 0)
            {
                var at = accepted.Min(r => r.UpdatedAt ?? r.PlannedAt ?? DateTimeOffset.MaxValue);
                list.Add(new Exposure(user.Key, shard, false, at, string.Join(",", accepted.Select(r => r.Channel).Order(StringComparer.Ordinal))));
            }
            else if (user.Any(r => r.State == DeliveryStates.HeldOut))
            {
                var planned = user.Min(r => r.PlannedAt ?? DateTimeOffset.MaxValue);
                list.Add(new Exposure(user.Key, shard, true, sendAt is { } due && due > planned ? due : planned, ""));
            }
        }

        return list;
    }

    /// <summary>The activity of these users of one shard: one range query (users are sorted by id), filtered here.</summary>
    private async Task<Dictionary<string, ActivityAggregate>> ActivityAsync(string shard, List<string> userIds, CancellationToken ct)
    {
        var wanted = userIds.ToHashSet(StringComparer.Ordinal);
        var first = userIds.Min(StringComparer.Ordinal)!;
        var last = userIds.Max(StringComparer.Ordinal)!;
        var users = await storage.TableAsync(TableNames.Users, ct);
        var result = new Dictionary<string, ActivityAggregate>(StringComparer.Ordinal);
        await foreach (var u in users.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {shard} and RowKey ge {first} and RowKey le {last}"), select: ActivityColumns, cancellationToken: ct))
        {
            if (wanted.Contains(u.RowKey))
            {
                result[u.RowKey] = ActivityAggregate.Restore(u.GetInt32(UserEntity.LastActiveDay), u.GetInt32(UserEntity.FirstActiveDay), u.GetBinary(UserEntity.ActiveDays) ?? [], [], null);
            }
        }

        return result;
    }
}
