using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.WakeUp;

namespace Engagement.Tests.WakeUp;

public sealed class WakeUpDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly string[] Tiers = ["high-value", "potential", "regular", "dormant"];

    [Fact]
    public void Start_FreshUser_Starts_HeldOutByTheStableHash()
    {
        var options = new WakeUpOptions { HoldoutPercent = 50 };
        var users = Enumerable.Range(0, 200).Select(i => $"u{i}").ToList();

        var starts = users.Select(u => WakeUpDecisions.Start(options, u, WakeUpStartCause.EnteredTier, null, false, Now)).ToList();

        Assert.All(starts, s => Assert.True(s.Starts));
        Assert.Equal(users.Select(u => CampaignPlanner.IsHeldOut(WakeUpDecisions.HoldoutKey, u, 50)), starts.Select(s => s.HeldOut));
        Assert.InRange(starts.Count(s => s.HeldOut), 70, 130); // the hash splits, it does not pick one side
    }

    [Theory]
    [InlineData(false, true, WakeUpStartCause.EnteredTier, null, false, "disabled")]
    [InlineData(true, false, WakeUpStartCause.Registered, null, false, "registrations start no plan")]
    [InlineData(true, true, WakeUpStartCause.EnteredTier, 3, true, "a plan is running")]
    [InlineData(true, true, WakeUpStartCause.EnteredTier, 59, false, "within 60 days")]
    public void Start_IsRefused_WithItsReason(bool enabled, bool onRegistration, WakeUpStartCause cause, int? daysSinceLast, bool running, string reason)
    {
        var options = new WakeUpOptions { Enabled = enabled, StartOnRegistration = onRegistration };

        var start = WakeUpDecisions.Start(options, "u1", cause, daysSinceLast is { } d ? Now.AddDays(-d) : null, running, Now);

        Assert.False(start.Starts);
        Assert.Contains(reason, start.Reason);
    }

    [Fact]
    public void Start_AfterTheCoolDown_StartsAgain_InTheSameHoldoutGroup()
    {
        var options = new WakeUpOptions { HoldoutPercent = 30 };
        var first = WakeUpDecisions.Start(options, "u7", WakeUpStartCause.EnteredTier, null, false, Now);
        var again = WakeUpDecisions.Start(options, "u7", WakeUpStartCause.EnteredTier, Now.AddDays(-60), false, Now);

        Assert.True(again.Starts);
        Assert.Equal(first.HeldOut, again.HeldOut);
    }

    [Fact]
    public void DrawTasks_TakesTheFirstSevenEnabled_InCatalogueOrder()
    {
        var tasks = WakeUpOptions.DefaultTasks();
        tasks[1].Enabled = false;
        tasks.Add(new WakeUpTask { Kind = "eighth", Completes = "login", Points = 1, Template = "t" });
        tasks.Add(new WakeUpTask { Kind = "ninth", Completes = "login", Points = 1, Template = "t" });

        var drawn = WakeUpDecisions.DrawTasks(new WakeUpOptions { Tasks = tasks });

        Assert.Equal(["check-in", "finish-profile", "read-an-article", "save-a-favourite", "share", "first-order", "eighth"], drawn.Select(t => t.Kind));
        Assert.Equal(ActivityType.Interaction, drawn[1].Completes);
        Assert.Equal("profile", drawn[1].Category);
    }

    [Fact]
    public void Completes_OnlyASentOpenStep_ByItsTypeAndCategory()
    {
        var steps = WakeUpDecisions.Steps(WakeUpDecisions.DrawTasks(new WakeUpOptions()), new DateOnly(2026, 12, 3), new TimeOnly(12, 0), Shanghai);
        var profile = steps[2]; // finish-profile: interaction, category profile, on 2026-12-05 (closes 12-06 00:00 Shanghai = 12-05 16:00Z)
        var sentAt = profile.Time.SendAt;
        var sent = profile with { State = WakeUpStepStates.Sent, SentAt = sentAt };
        ActivityEvent Event(ActivityType type, string? category, DateTimeOffset at) => new("e", "u1", type, 0, category, at);
        var inside = sentAt.AddHours(1);

        Assert.True(WakeUpDecisions.Completes(sent, Event(ActivityType.Interaction, "Profile", inside)));
        Assert.False(WakeUpDecisions.Completes(sent, Event(ActivityType.Interaction, "content", inside)));
        Assert.False(WakeUpDecisions.Completes(sent, Event(ActivityType.Interaction, null, inside)));
        Assert.False(WakeUpDecisions.Completes(sent, Event(ActivityType.Login, "profile", inside)));
        Assert.False(WakeUpDecisions.Completes(sent, Event(ActivityType.Interaction, "profile", sentAt.AddMinutes(-1)))); // before it was sent
        Assert.False(WakeUpDecisions.Completes(sent, Event(ActivityType.Interaction, "profile", new DateTimeOffset(2026, 12, 5, 16, 0, 0, TimeSpan.Zero)))); // its day closed
        Assert.True(WakeUpDecisions.Completes(sent, Event(ActivityType.Interaction, "profile", new DateTimeOffset(2026, 12, 5, 15, 59, 59, TimeSpan.Zero))));
        Assert.False(WakeUpDecisions.Completes(profile, Event(ActivityType.Interaction, "profile", inside))); // still due: not sent
        Assert.False(WakeUpDecisions.Completes(sent with { State = WakeUpStepStates.Completed }, Event(ActivityType.Interaction, "profile", inside))); // done already
        // a task without a category takes any
        var checkIn = steps[0] with { State = WakeUpStepStates.Sent, SentAt = steps[0].Time.SendAt };
        Assert.True(WakeUpDecisions.Completes(checkIn, Event(ActivityType.Login, "anything", steps[0].Time.SendAt)));
    }

    [Theory]
    [InlineData("potential", true, true, null)]
    [InlineData("high-value", true, true, "left the tier upward (potential -> high-value)")]
    [InlineData("regular", true, true, null)]
    [InlineData("dormant", true, true, null)]
    [InlineData("potential", false, true, null)]
    [InlineData("potential", false, false, "opted out of every channel")]
    public void EndsEarly_OnlyUpwardOrFullOptOut(string now, bool push, bool inApp, string? reason) =>
        Assert.Equal(reason, WakeUpDecisions.EndsEarly("potential", now, Tiers, push, inApp));

    [Fact]
    public void Transitions_CancelOnlyPendingSteps_AndNothingLeavesAFinalState()
    {
        Assert.True(WakeUpStepTransitions.IsAllowed(WakeUpStepStates.Due, WakeUpStepStates.Cancelled));
        Assert.False(WakeUpStepTransitions.IsAllowed(WakeUpStepStates.Sent, WakeUpStepStates.Cancelled));
        Assert.False(WakeUpStepTransitions.IsAllowed(WakeUpStepStates.Due, WakeUpStepStates.Completed)); // never completed unsent
        foreach (var final in new[] { WakeUpStepStates.Completed, WakeUpStepStates.Missed, WakeUpStepStates.Skipped, WakeUpStepStates.Cancelled })
        {
            Assert.DoesNotContain(WakeUpStepTransitions.All.Keys, m => m.From == final);
        }
    }
}
