namespace Engagement.Delivery;

/// <summary>
/// The ledger's allowed state moves, each with why it exists; every other move (including a state to itself) is
/// refused. <see cref="DeliveryLedger.TryMoveAsync"/> checks every write against this table, so a refused move is
/// a programming error, not a race (races are settled by the row's ETag).
/// </summary>
public static class DeliveryTransitions
{
    private static readonly Dictionary<(string From, string To), string> Moves = new()
    {
        [(DeliveryStates.Planned, DeliveryStates.Sending)] = "a worker claims the row for the send lease; only one claim wins",
        [(DeliveryStates.Planned, DeliveryStates.Skipped)] = "a send-time policy said no (consent, caps, expiry...), the user is unknown, or the campaign is a dry run",
        [(DeliveryStates.Planned, DeliveryStates.Accepted)] = "a status callback proves the provider has the message: it is never sent (again)",
        [(DeliveryStates.Sending, DeliveryStates.Accepted)] = "the provider took the message",
        [(DeliveryStates.Sending, DeliveryStates.Failed)] = "the provider refused the message (invalid number, opted out...)",
        [(DeliveryStates.Sending, DeliveryStates.Unknown)] = "the outcome is ambiguous (timeout, 5xx, sender error) or the lease ran out (interrupted after the claim): never resent blindly",
        [(DeliveryStates.Sending, DeliveryStates.Skipped)] = "a frequency cap was reached after the claim (re-checked against the stored touch log)",
        [(DeliveryStates.Sending, DeliveryStates.Planned)] = "back-move: the provider surely did not take it (throttled, unreachable, breaker open); the touch is released and the chunk retried",
        [(DeliveryStates.Unknown, DeliveryStates.Accepted)] = "the provider's records (a lookup or a status callback) prove it has the message",
        [(DeliveryStates.Unknown, DeliveryStates.Planned)] = "back-move: the provider's records prove it absent, or in-app, whose write is idempotent; a resume sends it once",
    };

    /// <summary>Every allowed move and why.</summary>
    public static IReadOnlyDictionary<(string From, string To), string> All => Moves;

    public static bool IsAllowed(string from, string to) => Moves.ContainsKey((from, to));

    /// <summary>Throws when the table does not allow the move: callers only ask for moves they know are allowed.</summary>
    public static void EnsureAllowed(string from, string to)
    {
        if (!IsAllowed(from, to))
        {
            throw new InvalidOperationException($"a delivery does not move from '{from}' to '{to}'");
        }
    }
}
