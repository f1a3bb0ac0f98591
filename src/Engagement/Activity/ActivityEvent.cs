namespace Engagement.Activity;

public enum ActivityType
{
    Login,
    Interaction,
    Purchase,

    /// <summary>The user (the invitee) signed up with another user's code: <see cref="ActivityEvent.Referrer"/> names who invited them.</summary>
    Referral,
}

/// <summary>
/// One validated activity event. Amounts are kept in minor units (cents) so sums are exact.
/// <see cref="Referrer"/> is set on a <see cref="ActivityType.Referral"/> only (and never equals <see cref="UserId"/>).
/// <see cref="Content"/> is set on a <c>content_open</c> / <c>content_click</c> only, which are <see cref="ActivityType.Interaction"/>s:
/// they count as activity like any interaction, and once per user and item as content interactions.
/// </summary>
public sealed record ActivityEvent(
    string EventId,
    string UserId,
    ActivityType Type,
    long AmountMinor,
    string? Category,
    DateTimeOffset OccurredAt,
    string? Referrer = null,
    ContentInteraction? Content = null);
