using Engagement.Delivery;

namespace Engagement.Outcomes;

/// <summary>
/// A campaign's (or playbook run's) outcome over one attribution window, as recorded in <c>runoutcomes</c>.
/// Users: <paramref name="Targeted"/> (the audience, holdout included), <paramref name="HeldOut"/>;
/// <paramref name="SentByChannel"/> counts accepted deliveries; coupons are those issued under the
/// campaign id; the reactivation counts and the lift (percentage points, 95% Newcombe interval) are
/// <see cref="CampaignOutcome"/>'s. <paramref name="WindowClosed"/>: every exposed user's window has
/// ended, so the numbers are final.
/// </summary>
public sealed record RunOutcome(
    string CampaignId,
    int WindowDays,
    DateTimeOffset MeasuredAt,
    bool WindowClosed,
    long Targeted,
    long HeldOut,
    IReadOnlyDictionary<string, long> SentByChannel,
    long CouponsIssued,
    long CouponsRedeemed,
    int Reached,
    int ReachedActive,
    int HeldOutActive,
    Interval? Lift)
{
    /// <summary>The planner's reason for a ledger row of a user id that has no user row: not part of the audience.</summary>
    public const string UnknownUserReason = "unknown-user";

    public long Sent => SentByChannel.Values.Sum();

    /// <summary>The record of a measure: <paramref name="rows"/> are the campaign's ledger rows.</summary>
    public static RunOutcome Of(CampaignOutcome outcome, IEnumerable<DeliveryRow> rows, (long Issued, long Redeemed) coupons, DateTimeOffset measuredAt)
    {
        var targeted = new HashSet<string>(StringComparer.Ordinal);
        var heldOut = new HashSet<string>(StringComparer.Ordinal);
        var sent = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.State == DeliveryStates.Skipped && row.Reason == UnknownUserReason)
            {
                continue;
            }

            targeted.Add(row.UserId);
            if (row.State == DeliveryStates.HeldOut)
            {
                heldOut.Add(row.UserId);
            }
            else if (row.State == DeliveryStates.Accepted)
            {
                sent[row.Channel] = sent.GetValueOrDefault(row.Channel) + 1;
            }
        }

        return new RunOutcome(
            outcome.CampaignId,
            outcome.WindowDays,
            measuredAt,
            outcome.StillInWindow == 0,
            targeted.Count,
            heldOut.Count,
            sent,
            coupons.Issued,
            coupons.Redeemed,
            outcome.Reached,
            outcome.ReachedActive,
            outcome.HeldOutActive,
            outcome.LiftInterval);
    }
}
