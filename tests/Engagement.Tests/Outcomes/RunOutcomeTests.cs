using Engagement.Delivery;
using Engagement.Outcomes;

namespace Engagement.Tests.Outcomes;

/// <summary>What a run's outcome record counts from the ledger and the reactivation measure.</summary>
public class RunOutcomeTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 20, 2, 0, 0, TimeSpan.Zero);

    private static DeliveryRow Row(string user, string channel, string state, string? reason = null) =>
        new() { PartitionKey = "p", RowKey = user + "|" + channel, CampaignId = "winback-2026-12", UserId = user, Channel = channel, State = state, Reason = reason };

    [Fact]
    public void Of_CountsUsersOnceAndAcceptedSendsPerChannel()
    {
        DeliveryRow[] rows =
        [
            Row("a", "inapp", DeliveryStates.Accepted), Row("a", "sms", DeliveryStates.Accepted),
            Row("b", "inapp", DeliveryStates.Accepted), Row("b", "sms", DeliveryStates.Skipped, "quiet-hours"),
            Row("c", "inapp", DeliveryStates.Failed), Row("c", "sms", DeliveryStates.Skipped, "opted-out"),
            Row("d", "inapp", DeliveryStates.HeldOut, "holdout"), Row("d", "sms", DeliveryStates.HeldOut, "holdout"),
            Row("e", "inapp", DeliveryStates.HeldOut, "holdout"), Row("e", "sms", DeliveryStates.HeldOut, "holdout"),
            Row("ghost", "inapp", DeliveryStates.Skipped, RunOutcome.UnknownUserReason),
        ];
        var measure = new CampaignOutcome("winback-2026-12", 14, Reached: 2, ReachedActive: 1, HeldOut: 2, HeldOutActive: 0, StillInWindow: 0);

        var o = RunOutcome.Of(measure, rows, (Issued: 4, Redeemed: 1), At);

        Assert.Equal((5L, 2L, 3L), (o.Targeted, o.HeldOut, o.Sent)); // the unknown user id is not in the audience
        Assert.Equal(new Dictionary<string, long> { ["inapp"] = 2, ["sms"] = 1 }, o.SentByChannel);
        Assert.Equal((4L, 1L), (o.CouponsIssued, o.CouponsRedeemed));
        Assert.Equal((2, 1, 0, 14, true, At), (o.Reached, o.ReachedActive, o.HeldOutActive, o.WindowDays, o.WindowClosed, o.MeasuredAt));
        // 1/2 - 0/2 = 50 pt; Newcombe by hand from Wilson 1/2 = (0.094531, 0.905469) and 0/2 = (0, 0.657620):
        // 50 - 100·sqrt(0.405469² + 0.657620²) and 50 + 100·sqrt(0.405469² + 0²)
        var lift = o.Lift!.Value;
        Assert.Equal((50.0, -27.26, 90.55), (lift.Estimate, Math.Round(lift.Low, 2), Math.Round(lift.High, 2)));
    }

    [Fact]
    public void Of_WindowStillOpen_NotClosed_AndNoHoldout_NoLift()
    {
        var measure = new CampaignOutcome("c", 7, Reached: 1, ReachedActive: 0, HeldOut: 0, HeldOutActive: 0, StillInWindow: 1);
        var o = RunOutcome.Of(measure, [Row("a", "inapp", DeliveryStates.Accepted)], (0, 0), At);
        Assert.False(o.WindowClosed);
        Assert.Null(o.Lift);
    }
}
