using System.Text.Json;
using Engagement.Activity;
using Engagement.Ingest;
using Engagement.Messaging;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Referrals;

/// <summary>
/// Referrals after the ingest: a <c>referral</c> event links the invitee to the referrer (known referrer, first
/// referrer wins); a later event of a linked invitee who is not counted yet checks whether they became active and,
/// if so, counts them and, at the number needed, rewards the referrer once through the campaign pipeline. Users not
/// involved cost nothing: the decision reads only the user-row columns the ingest read anyway.
/// Each step is idempotent by its key and the invitee's <see cref="UserEntity.ReferralCountedAt"/> is written last,
/// so a crash anywhere re-runs the steps on the redelivery and finishes them once.
/// </summary>
public sealed partial class ReferralFollowUp(
    ReferralStore referrals,
    UserStore users,
    RecentUsersCache cache,
    DeadLetters deadLetters,
    StorageClients storage,
    ActivityCalendar calendar,
    IOptions<ReferralOptions> options,
    TimeProvider time,
    ILogger<ReferralFollowUp> log) : IIngestFollowUp
{
    /// <summary>The <c>errors</c> partition of referrals that were not linked (unknown referrer, another referrer first).</summary>
    public const string ErrorSource = "referrals";

    private const int Parallelism = 8;

    private readonly ReferralOptions _options = options.Value;

    public IReadOnlyCollection<string> Columns => UserEntity.ReferralColumns;

    public async Task FollowAsync(IReadOnlyList<IngestedUser> users, CancellationToken cancellationToken)
    {
        var involved = users.Where(Involved).ToList();
        if (involved.Count > 0)
        {
            await Parallel.ForEachAsync(involved, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, FollowAsync);
        }
    }

    private bool Involved(IngestedUser user) =>
        user.Events.Any(e => e.Type == ActivityType.Referral)
        || (_options.Enabled && UserEntity.ReadReferral(user.Row) is { ReferredBy: not null, CountedAt: null });

    private async ValueTask FollowAsync(IngestedUser user, CancellationToken ct)
    {
        var referral = UserEntity.ReadReferral(user.Row);
        var wrote = false;
        foreach (var e in user.Events.Where(e => e.Type == ActivityType.Referral))
        {
            if (await LinkAsync(user.UserId, e, referral.ReferredBy, ct) is { } link)
            {
                referral = referral with { ReferredBy = link.Referrer, ReferredAt = link.ReferredAt };
                wrote = true;
            }
        }

        if (_options.Enabled && referral is { ReferredBy: { } referrer, ReferredAt: { } referredAt, CountedAt: null })
        {
            wrote |= await CountAsync(user, referrer, referredAt, ct);
        }

        if (wrote)
        {
            // the ingest cached the row as it wrote it, without the columns written here: its next read comes from storage
            cache.TryTake(user.Shard, user.UserId, out _);
        }
    }

    /// <summary>Links the invitee of <paramref name="e"/>; the link written (or completed), null when nothing was written.</summary>
    private async Task<ReferralLink?> LinkAsync(string invitee, ActivityEvent e, string? current, CancellationToken ct)
    {
        var referrer = e.Referrer!;
        switch (ReferralRules.Link(current, referrer))
        {
            case LinkDecision.Repeat:
                return null;
            case LinkDecision.OtherReferrer:
                await RecordAsync(e, $"referral: user '{invitee}' was referred by '{current}' first; referrer '{referrer}' is not linked (one referrer per invitee, the first wins)", ct);
                return null;
        }

        if ((await users.ExistingAsync([referrer], 1, ct)).Count == 0)
        {
            await RecordAsync(e, $"referral: user '{invitee}' names referrer '{referrer}', who is not a known user; not linked", ct);
            return null;
        }

        // the link row decides who is first; then the friend row and the user's columns follow it, whoever it names,
        // so a link cut short by a crash is completed by whichever of its referrals comes next
        var holds = await referrals.LinkAsync(new ReferralLink(invitee, referrer, e.OccurredAt, e.EventId), ct);
        await referrals.AddFriendAsync(holds.Referrer, invitee, holds.ReferredAt, ct);
        await users.MarkReferredAsync(invitee, holds.Referrer, holds.ReferredAt, ct);
        if (!string.Equals(holds.Referrer, referrer, StringComparison.Ordinal))
        {
            await RecordAsync(e, $"referral: user '{invitee}' was referred by '{holds.Referrer}' first; referrer '{referrer}' is not linked (one referrer per invitee, the first wins)", ct);
        }
        else
        {
            LogLinked(log, invitee, referrer);
        }

        return holds;
    }

    /// <summary>Counts an invitee who became active; false when they have not (nothing written).</summary>
    private async Task<bool> CountAsync(IngestedUser user, string referrer, DateTimeOffset referredAt, CancellationToken ct)
    {
        if (ReferralRules.ActiveOn(UserEntity.ReadActivity(user.Row), calendar.DayOf(referredAt), _options) is not { } activeOn)
        {
            return false;
        }

        await referrals.MarkActiveAsync(referrer, user.UserId, DateOnly.FromDayNumber(activeOn), ct);
        var active = await referrals.ActiveFriendsAsync(referrer, ct);
        LogCounted(log, user.UserId, referrer, active);
        if (ReferralRules.Rewarded(active, _options))
        {
            await RewardAsync(referrer, user.UserId, ct);
        }

        await users.MarkReferralCountedAsync(user.UserId, time.GetUtcNow(), ct);
        return true;
    }

    /// <summary>
    /// Records the reward once and enqueues its trigger until the row says it is enqueued. Enqueueing again after a
    /// crash (or from two friends at once) is harmless: the same text is a Duplicate at the campaigns table.
    /// </summary>
    private async Task RewardAsync(string referrer, string completedBy, CancellationToken ct)
    {
        var campaignId = ReferralTrigger.CampaignId(referrer);
        var reward = await referrals.RecordRewardAsync(new ReferralReward(referrer, campaignId, completedBy, time.GetUtcNow(), Enqueued: false), ct);
        if (reward.Enqueued)
        {
            return; // a later friend: the reward went out already
        }

        LogRewardRecorded(log, referrer, campaignId);
        var queue = await storage.QueueAsync(QueueNames.CampaignTriggers, ct);
        await queue.SendMessageAsync(ReferralTrigger.Build(referrer, _options), ct);
        await referrals.MarkRewardEnqueuedAsync(referrer, ct);
        LogRewardEnqueued(log, referrer, campaignId);
    }

    private Task RecordAsync(ActivityEvent e, string error, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["eventId"] = e.EventId,
            ["userId"] = e.UserId,
            ["type"] = "referral",
            ["referrer"] = e.Referrer,
            ["occurredAt"] = e.OccurredAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        });
        LogNotLinked(log, e.UserId, e.Referrer);
        return deadLetters.RecordAsync(new QueueEnvelope(ErrorSource, $"{e.UserId}|{e.EventId}", body, 0), error, ct);
    }

    [LoggerMessage(LogLevel.Debug, "Referral: {Invitee} linked to {Referrer}")]
    private static partial void LogLinked(ILogger logger, string invitee, string referrer);

    [LoggerMessage(LogLevel.Warning, "Referral of {Invitee} by {Referrer} not linked (see the errors table, partition referrals)")]
    private static partial void LogNotLinked(ILogger logger, string invitee, string? referrer);

    [LoggerMessage(LogLevel.Debug, "Referral: {Invitee} is an active friend of {Referrer} ({Active} active)")]
    private static partial void LogCounted(ILogger logger, string invitee, string referrer, int active);

    [LoggerMessage(LogLevel.Debug, "Referral reward of {Referrer} recorded ({CampaignId}); enqueueing it")]
    private static partial void LogRewardRecorded(ILogger logger, string referrer, string campaignId);

    [LoggerMessage(LogLevel.Information, "Referral reward of {Referrer} enqueued as {CampaignId}")]
    private static partial void LogRewardEnqueued(ILogger logger, string referrer, string campaignId);
}
