using Azure.Data.Tables;

namespace Engagement.Content;

/// <summary>
/// One user's pick in a weekly run, as recorded before the hand-off: the item (null: nothing left to pick), its
/// categories (outcomes compare them with the holdout's organic interactions), what the pick went by and why, whether the
/// user is held out (then <see cref="ItemId"/> is what they would have got, and nothing is sent), and the campaign that
/// carries it (null for the held out and for no pick).
/// </summary>
public sealed record ContentRunPick(
    string UserId,
    string? ItemId,
    IReadOnlyList<string> Categories,
    ContentPickBasis Basis,
    string Reason,
    double Score,
    bool HeldOut,
    string? CampaignId);

/// <summary>A run as a whole: its occurrence, state (<see cref="ContentRunStates"/>) and, once done, what it did.</summary>
public sealed record ContentRunHeader(string RunId, DateTimeOffset At, string State, int Picked, int HeldOut, int NoPick, int Campaigns);

public static class ContentRunStates
{
    /// <summary>Picks may be recorded and campaigns handed off; a crash leaves it here and the next timer resumes it.</summary>
    public const string Running = "running";

    /// <summary>Every campaign of the run was handed off: the timer does nothing more this week.</summary>
    public const string Done = "done";
}

/// <summary>
/// The <c>contentruns</c> table's keys and columns (only <see cref="ContentRunStore"/> uses them). A run's header is the row
/// (run id, <c>run</c>); its picks are one partition per user shard, (<c>{runId}|{shard}</c>, user id), so a shard's picks go
/// 100 a transaction and the whole run reads as one partition-key range.
/// </summary>
internal static class ContentRunRows
{
    public const string HeaderRow = "run";

    private const string At = "At";
    private const string State = "State";
    private const string Picked = "Picked";
    private const string HeldOut = "HeldOut";
    private const string NoPick = "NoPick";
    private const string Campaigns = "Campaigns";
    private const string ItemId = "ItemId";
    private const string Categories = "Categories";
    private const string Basis = "Basis";
    private const string Reason = "Reason";
    private const string Score = "Score";
    private const string CampaignId = "CampaignId";

    public static string PicksPartition(string runId, string shard) => runId + "|" + shard;

    /// <summary>The partition-key range of a run's picks: every <c>{runId}|...</c> ('}' follows '|').</summary>
    public static string PicksFilter(string runId) =>
        TableClient.CreateQueryFilter($"PartitionKey gt {runId + "|"} and PartitionKey lt {runId + "}"}");

    public static TableEntity ToEntity(ContentRunHeader h) => new(h.RunId, HeaderRow)
    {
        [At] = h.At.ToUniversalTime(),
        [State] = h.State,
        [Picked] = h.Picked,
        [HeldOut] = h.HeldOut,
        [NoPick] = h.NoPick,
        [Campaigns] = h.Campaigns,
    };

    public static ContentRunHeader HeaderOf(TableEntity e) => new(
        e.PartitionKey, e.GetDateTimeOffset(At) ?? default, e.GetString(State) ?? ContentRunStates.Running,
        e.GetInt32(Picked) ?? 0, e.GetInt32(HeldOut) ?? 0, e.GetInt32(NoPick) ?? 0, e.GetInt32(Campaigns) ?? 0);

    public static TableEntity ToEntity(string partition, ContentRunPick p)
    {
        var e = new TableEntity(partition, p.UserId)
        {
            [Categories] = string.Join(';', p.Categories),
            [Basis] = p.Basis.ToString(),
            [Reason] = p.Reason,
            [Score] = p.Score,
            [HeldOut] = p.HeldOut,
        };
        if (p.ItemId is { } item)
        {
            e[ItemId] = item;
        }

        if (p.CampaignId is { } campaign)
        {
            e[CampaignId] = campaign;
        }

        return e;
    }

    public static ContentRunPick PickOf(TableEntity e) => new(
        e.RowKey,
        e.GetString(ItemId),
        e.GetString(Categories) is { Length: > 0 } c ? c.Split(';') : [],
        Enum.TryParse<ContentPickBasis>(e.GetString(Basis), out var basis) ? basis : ContentPickBasis.None,
        e.GetString(Reason) ?? "",
        e.GetDouble(Score) ?? 0,
        e.GetBoolean(HeldOut) ?? false,
        e.GetString(CampaignId));
}
