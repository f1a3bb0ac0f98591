using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Users;
using Engagement.WakeUp;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.WakeUp;

public sealed class LatestPlanTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static readonly Gen<WakeUpStepTask> AnyTask =
        from type in Gen.Elements(ActivityType.Login, ActivityType.Interaction, ActivityType.Purchase)
        from category in Gen.Elements<string?>(null, "fitness", "a,b;c|d%e", "健身 食谱", "")
        from points in Gen.Choose(1, 100)
        select new WakeUpStepTask("kind", type, category, points, "t");

    [Property(MaxTest = 200)]
    public Property FormatThenParse_AnyPlan_RoundTripsEveryStep() =>
        Prop.ForAll(Arb.From(AnyTask.ArrayOf(WakeUpOptions.Steps)), Arb.From(Gen.Choose(0, 400)), (tasks, days) =>
        {
            var steps = WakeUpDecisions.Steps(tasks, DateOnly.FromDateTime(Start.UtcDateTime).AddDays(days), new TimeOnly(10, 0), Shanghai);
            var plan = LatestPlan.Of("20261204", Start.AddDays(days), steps);

            var read = LatestPlan.Parse(plan.Format());

            return read is { HasSchedule: true } && read.PlanId == plan.PlanId && read.StartedAt == plan.StartedAt
                && read.Steps.SequenceEqual(steps.Select(s => new ScheduledTask(s.Number, s.Task.Completes, string.IsNullOrEmpty(s.Task.Category) ? null : s.Task.Category, s.Time.SendAt, s.Time.ClosesAt)));
        });

    [Fact]
    public void Parse_TheEarlierForm_HasNoSchedule_AndAHeldOutPlan_HasAnEmptyOne()
    {
        var earlier = LatestPlan.Parse("20261204|2026-12-03T04:00:00.0000000Z");
        var heldOut = LatestPlan.Parse(LatestPlan.Of("20261204", Start, []).Format());

        Assert.Equal(("20261204", Start, false), (earlier!.PlanId, earlier.StartedAt, earlier.HasSchedule));
        Assert.Equal((true, 0), (heldOut!.HasSchedule, heldOut.Steps.Count));
        Assert.Null(LatestPlan.Parse("garbage"));
        Assert.Null(LatestPlan.Parse(null));
    }

    [Fact]
    public void Candidates_EachEvent_GoesToTheStepWhoseTaskAndWindowItMatches()
    {
        var tasks = Enumerable.Range(1, WakeUpOptions.Steps).Select(i => new WakeUpStepTask($"k{i}", i % 2 == 0 ? ActivityType.Purchase : ActivityType.Login, null, 10, "t")).ToList();
        var steps = WakeUpDecisions.Steps(tasks, new DateOnly(2026, 12, 4), new TimeOnly(10, 0), Shanghai);
        var row = new TableEntity("p", "u1") { [UserEntity.WakeUpPlan] = LatestPlan.Of("20261204", Start, steps).Format() };
        ActivityEvent Event(string id, ActivityType type, DateTimeOffset at) => new(id, "u1", type, 0, null, at);
        var events = new[]
        {
            Event("before-step-1", ActivityType.Login, steps[0].Time.SendAt.AddMinutes(-1)),
            Event("day-1-late", ActivityType.Login, steps[0].Time.SendAt.AddHours(3)),
            Event("day-1", ActivityType.Login, steps[0].Time.SendAt.AddHours(1)),
            Event("day-2-wrong-type", ActivityType.Login, steps[1].Time.SendAt.AddHours(1)),
            Event("day-2", ActivityType.Purchase, steps[1].Time.SendAt.AddHours(2)),
        };

        var candidates = WakeUpCompletions.Candidates(row, events);

        Assert.Equal([("20261204", 1, "day-1,day-1-late"), ("20261204", 2, "day-2")],
            candidates.Select(c => (c.PlanId, c.Step, string.Join(',', c.Events.Select(e => e.EventId)))));
    }

    [Fact]
    public void Candidates_APlanOfTheEarlierForm_IsFoundThroughItsOpenTask()
    {
        var step = WakeUpDecisions.Steps([.. Enumerable.Repeat(new WakeUpStepTask("check-in", ActivityType.Login, null, 10, "t"), WakeUpOptions.Steps)],
            new DateOnly(2026, 12, 4), new TimeOnly(10, 0), Shanghai)[2];
        var sentAt = step.Time.SendAt.AddMinutes(5);
        var row = new TableEntity("p", "u1")
        {
            [UserEntity.WakeUpPlan] = "20261204|2026-12-03T04:00:00.0000000Z",
            [UserEntity.OpenTask] = OpenTask.Of("20261204", step with { SentAt = sentAt }),
        };

        var candidates = WakeUpCompletions.Candidates(row, [new ActivityEvent("e1", "u1", ActivityType.Login, 0, null, sentAt.AddHours(1)), new ActivityEvent("e0", "u1", ActivityType.Login, 0, null, sentAt.AddMinutes(-1))]);

        var (planId, number, matched) = Assert.Single(candidates);
        Assert.Equal(("20261204", 3, "e1"), (planId, number, Assert.Single(matched).EventId));
        Assert.Empty(WakeUpCompletions.Candidates(new TableEntity("p", "u2"), [new ActivityEvent("e1", "u2", ActivityType.Login, 0, null, sentAt)]));
    }
}
