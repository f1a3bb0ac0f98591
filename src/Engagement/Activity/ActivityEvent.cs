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
/// </summary>
public sealed record ActivityEvent(
    string EventId,
    string UserId,
    ActivityType Type,
    long AmountMinor,
    string? Category,
    DateTimeOffset OccurredAt,
    string? Referrer = null);
