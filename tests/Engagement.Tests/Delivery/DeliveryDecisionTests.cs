using Engagement.Delivery;

namespace Engagement.Tests.Delivery;

public class DeliveryDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private static DeliveryRow Row(string state, DateTimeOffset? claimedAt = null) =>
        new() { PartitionKey = "c1_s00", RowKey = "sms|1|u1", CampaignId = "c1", UserId = "u1", Channel = "sms", State = state, ClaimedAt = claimedAt };

    // ---- Decide ----

    [Fact]
    public void Decide_SendingInsideTheLease_DefersUntilTheLeaseEnds()
    {
        var claimed = Now.AddMinutes(-2);

        var action = DeliveryDecision.Decide(Row(DeliveryStates.Sending, claimed), Lease, PolicyVerdict.Send, dryRun: false, Now);

        Assert.Equal(new DeliveryAction.Defer(claimed + Lease), action);
    }

    [Fact]
    public void Decide_SendingWhenTheLeaseHasJustEnded_MarksUnknownInterruptedAfterClaim()
    {
        var action = DeliveryDecision.Decide(Row(DeliveryStates.Sending, Now - Lease), Lease, PolicyVerdict.Send, dryRun: false, Now);

        Assert.Equal(new DeliveryAction.MarkUnknown("interrupted-after-claim"), action);
    }

    [Fact]
    public void Decide_SendingWithoutAClaimTime_MarksUnknown()
    {
        var action = DeliveryDecision.Decide(Row(DeliveryStates.Sending), Lease, verdict: null, dryRun: false, Now);

        Assert.Equal(new DeliveryAction.MarkUnknown("interrupted-after-claim"), action);
    }

    [Fact]
    public void Decide_SendingOfAnUnknownUser_StillWaitsOutTheLease()
    {
        var action = DeliveryDecision.Decide(Row(DeliveryStates.Sending, Now), Lease, verdict: null, dryRun: false, Now);

        Assert.Equal(new DeliveryAction.Defer(Now + Lease), action);
    }

    [Fact]
    public void Decide_PlannedForAnUnknownUser_SkipsUnknownUser()
    {
        var action = DeliveryDecision.Decide(Row(DeliveryStates.Planned), Lease, verdict: null, dryRun: false, Now);

        Assert.Equal(new DeliveryAction.Skip("unknown-user"), action);
    }

    [Fact]
    public void Decide_QuietHours_DefersUntilTheyEnd()
    {
        var until = Now.AddHours(5);

        var action = DeliveryDecision.Decide(Row(DeliveryStates.Planned), Lease, PolicyVerdict.Defer(until), dryRun: false, Now);

        Assert.Equal(new DeliveryAction.Defer(until), action);
    }

    [Fact]
    public void Decide_APolicySaysNo_SkipsWithItsReason()
    {
        var action = DeliveryDecision.Decide(Row(DeliveryStates.Planned), Lease, PolicyVerdict.Skip("no-consent"), dryRun: false, Now);

        Assert.Equal(new DeliveryAction.Skip("no-consent"), action);
    }

    [Fact]
    public void Decide_DryRun_SkipsDryRun()
    {
        var action = DeliveryDecision.Decide(Row(DeliveryStates.Planned), Lease, PolicyVerdict.Send, dryRun: true, Now);

        Assert.Equal(new DeliveryAction.Skip("dry-run"), action);
    }

    [Fact]
    public void Decide_DryRunAndAPolicySaysNo_KeepsThePolicysReason()
    {
        var action = DeliveryDecision.Decide(Row(DeliveryStates.Planned), Lease, PolicyVerdict.Skip("weekly-cap"), dryRun: true, Now);

        Assert.Equal(new DeliveryAction.Skip("weekly-cap"), action);
    }

    [Fact]
    public void Decide_DryRunInQuietHours_StillDefers()
    {
        var until = Now.AddHours(1);

        var action = DeliveryDecision.Decide(Row(DeliveryStates.Planned), Lease, PolicyVerdict.Defer(until), dryRun: true, Now);

        Assert.Equal(new DeliveryAction.Defer(until), action);
    }

    [Fact]
    public void Decide_PlannedAndEveryPolicySaysYes_Sends()
    {
        var action = DeliveryDecision.Decide(Row(DeliveryStates.Planned), Lease, PolicyVerdict.Send, dryRun: false, Now);

        Assert.IsType<DeliveryAction.Send>(action);
    }

    // ---- a send's outcome ----

    [Fact]
    public void Classify_Accepted_MovesToAcceptedAndKeepsTheTouch()
    {
        var outcome = DeliveryDecision.Classify(new SendResult(SendStatus.Accepted, ProviderId: "SM1"), Now, TimeSpan.FromSeconds(30));

        Assert.Equal(new SendOutcome(DeliveryStates.Accepted, null, ReleaseTouch: false, RetryAt: null), outcome);
    }

    [Fact]
    public void Classify_Rejected_MovesToFailedWithTheProvidersReason()
    {
        var outcome = DeliveryDecision.Classify(new SendResult(SendStatus.Rejected, Reason: "twilio-21211 invalid number", UserEffect: "invalid-phone"), Now, TimeSpan.FromSeconds(30));

        Assert.Equal(new SendOutcome(DeliveryStates.Failed, "twilio-21211 invalid number", ReleaseTouch: false, RetryAt: null), outcome);
    }

    [Fact]
    public void Classify_NotSent_BackToPlannedReleasesTheTouchAndRetriesAfterTheDelay()
    {
        var outcome = DeliveryDecision.Classify(new SendResult(SendStatus.NotSent, Reason: "throttled"), Now, TimeSpan.FromSeconds(30));

        Assert.Equal(new SendOutcome(DeliveryStates.Planned, null, ReleaseTouch: true, RetryAt: Now.AddSeconds(30)), outcome);
    }

    [Fact]
    public void Classify_Unknown_MovesToUnknownWithItsReason()
    {
        var outcome = DeliveryDecision.Classify(new SendResult(SendStatus.Unknown, Reason: "timeout"), Now, TimeSpan.FromSeconds(30));

        Assert.Equal(new SendOutcome(DeliveryStates.Unknown, "timeout", ReleaseTouch: false, RetryAt: null), outcome);
    }

    [Fact]
    public void Classify_UnknownWithoutAReason_IsAmbiguous()
    {
        var outcome = DeliveryDecision.Classify(new SendResult(SendStatus.Unknown), Now, TimeSpan.FromSeconds(30));

        Assert.Equal((DeliveryStates.Unknown, "ambiguous"), (outcome.State, outcome.Reason));
    }

    [Fact]
    public void OfException_ASenderException_IsUnknownWithSenderErrorAndItsType()
    {
        var sent = DeliveryDecision.OfException(new HttpRequestException("reset"));
        var outcome = DeliveryDecision.Classify(sent, Now, TimeSpan.FromSeconds(30));

        Assert.Equal(SendStatus.Unknown, sent.Status);
        Assert.Equal(new SendOutcome(DeliveryStates.Unknown, "sender-error: HttpRequestException", ReleaseTouch: false, RetryAt: null), outcome);
    }

    [Theory]
    [InlineData(SendStatus.Accepted)]
    [InlineData(SendStatus.Rejected)]
    [InlineData(SendStatus.NotSent)]
    [InlineData(SendStatus.Unknown)]
    public void Classify_EveryOutcome_IsAMoveTheLedgerAllowsFromSending(SendStatus status)
    {
        var outcome = DeliveryDecision.Classify(new SendResult(status), Now, TimeSpan.FromSeconds(30));

        Assert.True(DeliveryTransitions.IsAllowed(DeliveryStates.Sending, outcome.State));
    }

    // ---- a 412 on our own write ----

    [Fact]
    public void IsOurOwn_OurOwnWriteCameBack412_TheStoredRowNamesIt()
    {
        Assert.True(WriteConflict.IsOurOwn(storedWriteId: "3f2a", ourWriteId: "3f2a"));
    }

    [Fact]
    public void IsOurOwn_SomeoneElsesWrite_IsAConflict()
    {
        Assert.False(WriteConflict.IsOurOwn(storedWriteId: "9c1b", ourWriteId: "3f2a"));
    }

    [Fact]
    public void IsOurOwn_ARowWithoutAWriteId_IsAConflict()
    {
        Assert.False(WriteConflict.IsOurOwn(storedWriteId: null, ourWriteId: "3f2a"));
    }
}
