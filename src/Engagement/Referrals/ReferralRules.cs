using Engagement.Activity;

namespace Engagement.Referrals;

/// <summary>What a referral event does to a link: the first referrer of an invitee wins.</summary>
public enum LinkDecision
{
    /// <summary>The invitee has no referrer yet: link this one.</summary>
    Link,

    /// <summary>The invitee's referrer already is this one: nothing to do.</summary>
    Repeat,

    /// <summary>The invitee has another referrer: not linked, recorded on the errors table.</summary>
    OtherReferrer,
}

/// <summary>The referral decisions, pure: no storage, no clock (the caller passes the days).</summary>
public static class ReferralRules
{
    public static LinkDecision Link(string? current, string referrer) =>
        current is null ? LinkDecision.Link
        : string.Equals(current, referrer, StringComparison.Ordinal) ? LinkDecision.Repeat
        : LinkDecision.OtherReferrer;

    /// <summary>
    /// The day an invited friend became active: the day of their <see cref="ReferralOptions.FriendActiveDays"/>-th
    /// distinct active day within <see cref="ReferralOptions.WithinDays"/> days from <paramref name="referredDay"/>
    /// (that day included), or null when that has not happened. Decided from the event days, not from when they
    /// arrived, so a late or replayed event gives the same answer.
    /// </summary>
    public static int? ActiveOn(ActivityAggregate activity, int referredDay, ReferralOptions options)
    {
        var seen = 0;
        for (var day = referredDay; day < referredDay + options.WithinDays; day++)
        {
            if (activity.IsActiveOn(day) && ++seen >= options.FriendActiveDays)
            {
                return day;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="activeFriends"/> earn the reward.</summary>
    public static bool Rewarded(int activeFriends, ReferralOptions options) => activeFriends >= options.FriendsNeeded;
}
