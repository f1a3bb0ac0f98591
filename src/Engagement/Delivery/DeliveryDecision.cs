namespace Engagement.Delivery;

/// <summary>What the worker does with one open ledger row.</summary>
public abstract record DeliveryAction
{
    /// <summary>Leave it as it is and look again at <paramref name="Until"/> (quiet hours, or another worker's lease).</summary>
    public sealed record Defer(DateTimeOffset Until) : DeliveryAction;

    /// <summary>A claim whose outcome was never recorded: it may have gone out, so it is never resent blindly.</summary>
    public sealed record MarkUnknown(string Reason) : DeliveryAction;

    public sealed record Skip(string Reason) : DeliveryAction;

    public sealed record Send : DeliveryAction;
}

/// <summary>What a send's outcome does to the row: its new state and reason, whether the recorded touch is taken back, and when the chunk comes back (null: it does not).</summary>
public sealed record SendOutcome(string State, string? Reason, bool ReleaseTouch, DateTimeOffset? RetryAt);

/// <summary>The worker's decisions, pure: the clock, the lease and the policies' verdict come in as arguments.</summary>
public static class DeliveryDecision
{
    /// <summary>
    /// The step for an open (<c>planned</c> or <c>sending</c>) row. <paramref name="verdict"/>: the send-time policies'
    /// verdict for its user, null when the user is unknown.
    /// </summary>
    public static DeliveryAction Decide(DeliveryRow row, TimeSpan lease, PolicyVerdict? verdict, bool dryRun, DateTimeOffset now)
    {
        if (row.State == DeliveryStates.Sending)
        {
            var leaseEnd = (row.ClaimedAt ?? DateTimeOffset.MinValue) + lease;
            // inside the lease another worker is sending it right now: look again when its lease ends;
            // after it, the claim's attempt never recorded the outcome: it may have gone out
            return now < leaseEnd ? new DeliveryAction.Defer(leaseEnd) : new DeliveryAction.MarkUnknown("interrupted-after-claim");
        }

        if (verdict is null)
        {
            return new DeliveryAction.Skip("unknown-user");
        }

        if (verdict.Kind == VerdictKind.Defer)
        {
            return new DeliveryAction.Defer(verdict.Until ?? now);
        }

        if (verdict.Kind == VerdictKind.Skip || dryRun)
        {
            return new DeliveryAction.Skip(verdict.Reason ?? "dry-run");
        }

        return new DeliveryAction.Send();
    }

    /// <summary>A sender that threw (not a cancellation) may or may not have handed the message over: unknown.</summary>
    public static SendResult OfException(Exception ex) => new(SendStatus.Unknown, Reason: "sender-error: " + ex.GetType().Name);

    /// <summary>Where a send leaves the row.</summary>
    public static SendOutcome Classify(SendResult sent, DateTimeOffset now, TimeSpan notSentRetryDelay) => sent.Status switch
    {
        SendStatus.Accepted => new SendOutcome(DeliveryStates.Accepted, null, false, null),
        SendStatus.Rejected => new SendOutcome(DeliveryStates.Failed, sent.Reason, false, null),
        // surely not taken (throttled, unreachable, breaker open): back to planned, the touch is taken back, and the
        // chunk comes back later as a new message, so an outage does not use up its deliveries
        SendStatus.NotSent => new SendOutcome(DeliveryStates.Planned, null, true, now + notSentRetryDelay),
        _ => new SendOutcome(DeliveryStates.Unknown, sent.Reason ?? "ambiguous", false, null),
    };
}

/// <summary>A 412 on a conditional ledger write: someone else's write, or our own that an SDK retry repeated.</summary>
public static class WriteConflict
{
    /// <summary>The stored row names our write: it landed, and the 412 answered the retry of it.</summary>
    public static bool IsOurOwn(string? storedWriteId, string ourWriteId) => string.Equals(storedWriteId, ourWriteId, StringComparison.Ordinal);
}
