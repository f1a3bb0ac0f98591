namespace Engagement.Delivery;

/// <summary>
/// When a campaign's chunk may send. <c>sendAt</c> is part of the send decision, not only the
/// delay the planner gave the first message: chunks also come from <c>engage campaign resume</c>,
/// poison replays and re-plans, and a queue message waits at most 7 days, so a later
/// <c>sendAt</c> is reached in hops. Pure: the clock is passed in.
/// </summary>
public static class SendSchedule
{
    /// <summary>The longest a queue message can stay invisible (Queue Storage's limit).</summary>
    public static readonly TimeSpan MaxHop = TimeSpan.FromDays(7);

    /// <summary>
    /// How long before the chunk may send; null when it may send now: no <c>sendAt</c>, due, or
    /// expired (expiry wins: the policies then record every open row as <c>expired</c>).
    /// </summary>
    public static TimeSpan? TimeUntilDue(DateTimeOffset? sendAt, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        expiresAt <= now || sendAt is not { } due || due <= now ? null : due - now;

    /// <summary>
    /// The visibility delay for a message that should come back after <paramref name="wait"/>: at most
    /// <see cref="MaxHop"/> (a longer wait takes several hops), in whole seconds rounded up (the queue
    /// truncates to seconds, and an early arrival would only hop again), at least one second.
    /// </summary>
    public static TimeSpan Hop(TimeSpan wait)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
        return seconds >= MaxHop.TotalSeconds ? MaxHop : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// The time-to-live of a message invisible for <paramref name="delay"/>: the default (7 days from
    /// sending) would let a 7-day hop expire the moment it becomes visible; this keeps it 7 days after.
    /// </summary>
    public static TimeSpan TimeToLive(TimeSpan delay) => delay + MaxHop;
}
