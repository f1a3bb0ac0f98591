using Engagement.IntegrationTests.Cli;
using Engagement.WakeUp;

namespace Engagement.IntegrationTests.WakeUp;

/// <summary>`engage plan USER_ID` as an operator runs it (a child process on the real clock).</summary>
public sealed class PlanCliTests : CliAgainstEngine
{
    [Fact]
    public async Task Plan_ShowsEachStepOnItsLocalDayAtItsHour_AndSaysSoWhenThereIsNone()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var first = new DateOnly(2027, 3, 11); // across the spring-forward of the 14th: still 12:00 local every day
        var options = new WakeUpOptions();
        var plan = new WakeUpPlanRow("cli-plan", "20270311", WakeUpPlanStates.Running, WakeUpStartCause.Registered, options.CatalogueVersion, zone.Id, first,
            new DateTimeOffset(2027, 3, 10, 20, 0, 0, TimeSpan.Zero), null, default);
        await Engine.Get<WakeUpPlanStore>().StartAsync(plan, WakeUpDecisions.Steps(WakeUpDecisions.DrawTasks(options), first, options.LocalTime, zone), TestEngine.Deadline());

        var (code, output) = await RunAsync("plan", "cli-plan");
        var (none, nothing) = await RunAsync("plan", "cli-nobody");

        Assert.Equal(0, code);
        Assert.Contains("Plan 20270311 of cli-plan: running", output, StringComparison.Ordinal);
        Assert.Contains("times in America/New_York", output, StringComparison.Ordinal);
        for (var day = 11; day <= 17; day++)
        {
            Assert.Contains($"2027-03-{day}", output, StringComparison.Ordinal);
        }

        Assert.Equal(7, output.Split("12:00").Length - 1);
        Assert.Contains("finish-profile", output, StringComparison.Ordinal);
        Assert.Equal(0, none);
        Assert.Contains("cli-nobody has no wake-up plan", nothing, StringComparison.Ordinal);
    }
}
