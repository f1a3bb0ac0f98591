using Azure.Data.Tables;

namespace Engagement.Referrals;

/// <summary>Who referred <paramref name="Invitee"/>: one per invitee, the first referrer wins.</summary>
public sealed record ReferralLink(string Invitee, string Referrer, DateTimeOffset ReferredAt, string EventId);

/// <summary>One friend a referrer invited; <paramref name="ActiveOn"/> is the ops-calendar day they became active (null: not yet).</summary>
public sealed record ReferralFriend(string Invitee, DateTimeOffset ReferredAt, DateOnly? ActiveOn);

/// <summary>
/// A referrer's reward, recorded once when their active friends reach the number needed. <paramref name="CompletedBy"/>
/// is the friend whose activity completed it; <paramref name="Enqueued"/> turns true once its trigger is on the queue.
/// </summary>
public sealed record ReferralReward(string Referrer, string CampaignId, string CompletedBy, DateTimeOffset RecordedAt, bool Enqueued);

/// <summary>The referrals table in numbers: referrers with a friend, invitees linked, friends invited and active, the rewards recorded.</summary>
public sealed record ReferralSummary(int Referrers, long Linked, long Invited, long Active, IReadOnlyList<ReferralReward> Rewards);

/// <summary>
/// The <c>referrals</c> table's keys and columns (only <see cref="ReferralStore"/> uses them). PartitionKey a user id, so
/// all of a user's referral rows are one partition: <c>referred-by</c> (who invited this user: its key makes the first
/// referrer win), <c>f|{invitee}</c> per friend this user invited, <c>reward</c> (recorded once).
/// </summary>
internal static class ReferralRows
{
    public const string LinkKey = "referred-by";
    public const string RewardKey = "reward";
    private const string FriendPrefix = "f|";
    private const string FriendEnd = "f}"; // '}' follows '|'

    private const string Referrer = "Referrer";
    private const string Invitee = "Invitee";
    private const string ReferredAt = "ReferredAt";
    private const string EventId = "EventId";
    private const string Active = "Active";
    private const string ActiveOn = "ActiveOn";
    private const string CampaignId = "CampaignId";
    private const string CompletedBy = "CompletedBy";
    private const string RecordedAt = "RecordedAt";
    private const string Enqueued = "Enqueued";

    public static string FriendKey(string invitee) => FriendPrefix + invitee;

    public static string FriendsFilter(string referrer, bool activeOnly) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {referrer} and RowKey ge {FriendPrefix} and RowKey lt {FriendEnd}") + (activeOnly ? $" and {Active} eq true" : "");

    public static readonly string[] CountColumns = ["RowKey"];

    public static TableEntity ToEntity(ReferralLink l) => new(l.Invitee, LinkKey)
    {
        [Referrer] = l.Referrer,
        [ReferredAt] = l.ReferredAt,
        [EventId] = l.EventId,
    };

    public static ReferralLink LinkFrom(TableEntity e) =>
        new(e.PartitionKey, e.GetString(Referrer) ?? "", e.GetDateTimeOffset(ReferredAt) ?? default, e.GetString(EventId) ?? "");

    /// <summary>A new friend row: linked, not active yet.</summary>
    public static TableEntity NewFriend(string referrer, string invitee, DateTimeOffset referredAt) => new(referrer, FriendKey(invitee))
    {
        [Invitee] = invitee,
        [ReferredAt] = referredAt,
        [Active] = false,
    };

    /// <summary>The columns that mark a friend active (a merge: the day is decided from event days, so a replay writes the same).</summary>
    public static TableEntity ActiveFriend(string referrer, string invitee, DateOnly activeOn) => new(referrer, FriendKey(invitee))
    {
        [Invitee] = invitee,
        [Active] = true,
        [ActiveOn] = activeOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };

    public static ReferralFriend FriendFrom(TableEntity e) =>
        new(e.GetString(Invitee) ?? e.RowKey[FriendPrefix.Length..], e.GetDateTimeOffset(ReferredAt) ?? default,
            e.GetBoolean(Active) == true && DateOnly.TryParseExact(e.GetString(ActiveOn), "yyyy-MM-dd", out var on) ? on : null);

    public static TableEntity ToEntity(ReferralReward r) => new(r.Referrer, RewardKey)
    {
        [CampaignId] = r.CampaignId,
        [CompletedBy] = r.CompletedBy,
        [RecordedAt] = r.RecordedAt,
        [Enqueued] = r.Enqueued,
    };

    public static TableEntity EnqueuedReward(string referrer) => new(referrer, RewardKey) { [Enqueued] = true };

    public static ReferralReward RewardFrom(TableEntity e) =>
        new(e.PartitionKey, e.GetString(CampaignId) ?? "", e.GetString(CompletedBy) ?? "", e.GetDateTimeOffset(RecordedAt) ?? default, e.GetBoolean(Enqueued) ?? false);
}
