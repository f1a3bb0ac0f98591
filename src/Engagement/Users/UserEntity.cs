using Azure.Data.Tables;
using Engagement.Activity;

namespace Engagement.Users;

/// <summary>
/// The users table layout: PartitionKey = hash shard, RowKey = user id; columns below. Writers
/// merge disjoint column groups (import: profile; ingest: activity; nightly: standing), so they
/// never overwrite each other's data. See docs/data-model.md.
/// </summary>
public static class UserEntity
{
    public const string Phone = "Phone";
    public const string PushToken = "PushToken";
    public const string TimeZone = "TimeZone";
    public const string ConsentSms = "ConsentSms";
    public const string ConsentPush = "ConsentPush";
    public const string ConsentInApp = "ConsentInApp";
    public const string Interests = "Interests";
    public const string RegisteredOn = "RegisteredOn";
    public const string Source = "Source";

    public const string LastActiveDay = "LastActiveDay";
    public const string FirstActiveDay = "FirstActiveDay";
    public const string ActiveDays = "ActiveDays";
    public const string Purchases = "Purchases";
    public const string Categories = "Categories";

    /// <summary>Ids of the events applied, with a fingerprint of each body (see <see cref="SeenEvents"/>). Not in <see cref="NightlyColumns"/>: only ingest needs it.</summary>
    public const string SeenIds = "SeenIds";

    public const string RScore = "RScore";
    public const string FScore = "FScore";
    public const string MScore = "MScore";
    public const string Tier = "Tier";
    public const string TierSince = "TierSince";

    /// <summary>The touch-log column (marketing messages received, last 35 days, see Delivery.TouchLog). It lives in the
    /// shard's <c>touches{shard}</c> table, not in the users table; delivery copies it into the user rows it judges.</summary>
    public const string Touches = "Touches";

    /// <summary>Set when a provider said the number cannot receive (Twilio 21211, 21614, 30003, 30005, 30006): no SMS until the phone changes.</summary>
    public const string PhoneSuppressed = "PhoneSuppressed";

    /// <summary>The number <see cref="PhoneSuppressed"/> is about: a profile with another number is not suppressed.</summary>
    public const string SuppressedPhone = "SuppressedPhone";

    /// <summary>When the user opted out of SMS (a STOP reply or Twilio 21610). Only the user lifts it (<see cref="SmsOptedInAt"/>), not a profile import.</summary>
    public const string SmsOptedOutAt = "SmsOptedOutAt";

    /// <summary>When the user last opted back in (a START reply); later than <see cref="SmsOptedOutAt"/> lifts the opt-out.</summary>
    public const string SmsOptedInAt = "SmsOptedInAt";

    /// <summary>Growth level 1-8 (Points): the points ledger decides it, the ingest copies it here when it changes so an
    /// audience can select by level (member day) without reading the points table. Absent means level 1.</summary>
    public const string Level = "Level";

    /// <summary>The wake-up step open for the user (WakeUp): written when a step is sent, so the ingest sees a task to
    /// complete without reading the plans table per event. Text: <c>planId|step|type|category|sentAt|closesAt</c>.</summary>
    public const string OpenTask = "OpenTask";

    /// <summary>The user's interests from the categories of their activity (Content): decayed weights as of a date,
    /// <c>asOf;category:weight,...</c> (<c>Content.InterestProfile</c>), updated by the ingest with each new event that
    /// has a category, in the same write as the activity, so a replayed event adds nothing.</summary>
    public const string InterestWeights = "InterestWeights";

    /// <summary>The days of the user's <c>interaction</c> events per category, the last 35 days (Content): the weekly
    /// content holdout's organic rate reads it (<c>Content.RecentInteractions</c>). Written by the ingest with the activity.</summary>
    public const string RecentInteractions = "RecentInteractions";

    /// <summary>The user's latest wake-up plan (WakeUp): <c>planId|startedAt</c>, written before the plan's rows, so the
    /// starter decides running and cooldown from the row it reads for the zone, without reading the plans table.</summary>
    public const string WakeUpPlan = "WakeUpPlan";

    /// <summary>The weekly content items sent to the user within the repeat window (Content): one line per item,
    /// <c>2026-11-30T02:00:00Z recipe-1</c> (the run's instant, then the item id), written by the weekly run before it hands
    /// the items off, so the pick reads the user's history in the pass that reads the interests (<c>Content.ContentSentText</c>).</summary>
    public const string ContentSent = "ContentSent";

    /// <summary>Who invited the user (Referrals): written once the referral is linked, so the ingest knows an invitee
    /// without reading the referrals table. Absent for users nobody referred.</summary>
    public const string ReferredBy = "ReferredBy";

    /// <summary>When the linked referral happened (its event's <c>occurredAt</c>): the "active within N days" window starts on its day.</summary>
    public const string ReferredAt = "ReferredAt";

    /// <summary>When the invitee was counted as an active friend of <see cref="ReferredBy"/>: set last, so the
    /// ingest stops looking at the user only once the count (and any reward it completed) is done.</summary>
    public const string ReferralCountedAt = "ReferralCountedAt";

    /// <summary>The referral columns an ingest follow-up reads with the activity.</summary>
    public static readonly IReadOnlyList<string> ReferralColumns = [ReferredBy, ReferredAt, ReferralCountedAt];

    /// <summary>Columns the nightly job reads: activity plus the current standing (to write only changes).</summary>
    public static readonly IReadOnlyList<string> NightlyColumns =
        ["PartitionKey", "RowKey", RegisteredOn, LastActiveDay, FirstActiveDay, ActiveDays, Purchases, RScore, FScore, MScore, Tier, TierSince];

    public static UserRecord ToRecord(TableEntity e)
    {
        var record = new UserRecord
        {
            UserId = e.RowKey,
            Profile = new UserProfile
            {
                Phone = e.GetString(Phone),
                PushToken = e.GetString(PushToken),
                TimeZone = e.GetString(TimeZone),
                ConsentSms = e.GetBoolean(ConsentSms) ?? false,
                ConsentPush = e.GetBoolean(ConsentPush) ?? false,
                ConsentInApp = e.GetBoolean(ConsentInApp) ?? true,
                Interests = e.GetString(Interests),
                RegisteredOn = e.GetDateTimeOffset(RegisteredOn),
                Source = e.GetString(Source),
            },
            Activity = ReadActivity(e),
            Standing = ReadStanding(e),
        };
        return record;
    }

    public static ActivityAggregate ReadActivity(TableEntity e) =>
        ActivityAggregate.Restore(
            e.GetInt32(LastActiveDay),
            e.GetInt32(FirstActiveDay),
            e.GetBinary(ActiveDays) ?? [],
            e.GetBinary(Purchases) ?? [],
            e.GetString(Categories),
            e.GetBinary(SeenIds) ?? []);

    /// <summary>The referral columns: the referrer (null: not referred), when, and when the user was counted.</summary>
    public static UserReferral ReadReferral(TableEntity e) =>
        new(e.GetString(ReferredBy), e.GetDateTimeOffset(ReferredAt), e.GetDateTimeOffset(ReferralCountedAt));

    public static RfmStanding? ReadStanding(TableEntity e) =>
        e.GetString(Tier) is { } tier
            ? new RfmStanding(new RfmScores(e.GetInt32(RScore) ?? 0, e.GetInt32(FScore) ?? 0, e.GetInt32(MScore) ?? 0), tier, e.GetString(TierSince))
            : null;

    public static void WriteProfile(TableEntity e, UserProfile p)
    {
        e[Phone] = p.Phone;
        e[PushToken] = p.PushToken;
        e[TimeZone] = p.TimeZone;
        e[ConsentSms] = p.ConsentSms;
        e[ConsentPush] = p.ConsentPush;
        e[ConsentInApp] = p.ConsentInApp;
        e[Interests] = p.Interests;
        e[RegisteredOn] = p.RegisteredOn;
        e[Source] = p.Source;
    }

    public static void WriteActivity(TableEntity e, ActivityAggregate a)
    {
        e[LastActiveDay] = a.LastActiveDay;
        e[FirstActiveDay] = a.FirstActiveDay;
        e[ActiveDays] = a.DaysBytes();
        e[Purchases] = a.PurchaseBytesArray();
        e[Categories] = a.CategoriesText();
        e[SeenIds] = a.SeenBytes();
    }

    public static void WriteStanding(TableEntity e, RfmStanding s)
    {
        e[RScore] = s.Scores.R;
        e[FScore] = s.Scores.F;
        e[MScore] = s.Scores.M;
        e[Tier] = s.Tier;
        e[TierSince] = s.TierSince;
    }
}
