namespace Engagement.Activity;

public enum ActivityType
{
    Login,
    Interaction,
    Purchase,
}

/// <summary>
/// One validated activity event. Amounts are kept in minor units (cents) so sums are exact.
/// </summary>
public sealed record ActivityEvent(
    string EventId,
    string UserId,
    ActivityType Type,
    long AmountMinor,
    string? Category,
    DateTimeOffset OccurredAt);
