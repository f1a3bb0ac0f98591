using Engagement.WakeUp;

namespace Engagement.Tests.WakeUp;

public sealed class WakeUpOptionsValidatorTests
{
    private static readonly TimeOnly QuietStart = new(21, 0);
    private static readonly TimeOnly QuietEnd = new(9, 0);
    private static readonly string[] Tiers = ["high-value", "potential", "regular", "dormant"];

    private static List<string> Problems(WakeUpOptions o) => [.. WakeUpOptionsValidator.Problems(o, QuietStart, QuietEnd, Tiers)];

    [Fact]
    public void Defaults_AreValid_AndHaveSevenUsableTasks()
    {
        var options = new WakeUpOptions();

        Assert.Empty(Problems(options));
        Assert.True(options.Catalogue.Count(t => t.Enabled) >= WakeUpOptions.Steps);
    }

    [Fact]
    public void Catalogue_WithSixUsableTasks_IsRefused_NamingTheCount()
    {
        var tasks = WakeUpOptions.DefaultTasks();
        tasks[3].Enabled = false;

        var problem = Assert.Single(Problems(new WakeUpOptions { Tasks = tasks }));
        Assert.Contains("WakeUp:Tasks has 6 usable task(s)", problem);
    }

    [Theory]
    [InlineData("Completes", "checkin", "WakeUp:Tasks:2:Completes 'checkin' is not an activity event type")]
    [InlineData("Completes", "7", "WakeUp:Tasks:2:Completes '7' is not an activity event type")]
    [InlineData("Points", "0", "WakeUp:Tasks:2:Points 0 must be more than 0")]
    [InlineData("Points", "-5", "WakeUp:Tasks:2:Points -5 must be more than 0")]
    [InlineData("Kind", "like-a-post", "WakeUp:Tasks:2:Kind 'like-a-post' is used by an earlier task")]
    [InlineData("Kind", "a/b", "WakeUp:Tasks:2:Kind 'a/b' must be a non-empty id")]
    [InlineData("Template", " ", "WakeUp:Tasks:2:Template is empty")]
    public void BadTask_IsRefused_NamingTheSetting(string setting, string value, string expected)
    {
        var tasks = WakeUpOptions.DefaultTasks();
        tasks.Add(new WakeUpTask { Kind = "extra", Completes = "login", Points = 1, Template = "extra" }); // still 7 usable without task 2
        var task = tasks[2];
        switch (setting)
        {
            case "Completes": task.Completes = value; break;
            case "Points": task.Points = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Kind": task.Kind = value; break;
            case "Template": task.Template = value; break;
        }

        var problem = Assert.Single(Problems(new WakeUpOptions { Tasks = tasks }));
        Assert.StartsWith(expected, problem);
    }

    [Theory]
    [InlineData(21, 0, true)]
    [InlineData(23, 30, true)]
    [InlineData(8, 59, true)]
    [InlineData(9, 0, false)]
    [InlineData(20, 59, false)]
    public void LocalTime_InsideQuietHours_IsRefused(int hour, int minute, bool refused)
    {
        var problems = Problems(new WakeUpOptions { LocalTime = new TimeOnly(hour, minute) });

        Assert.Equal(refused, problems.Any(p => p.StartsWith("WakeUp:LocalTime", StringComparison.Ordinal) && p.Contains("inside quiet hours 21:00-09:00", StringComparison.Ordinal)));
        Assert.Equal(refused ? 1 : 0, problems.Count);
    }

    [Fact]
    public void OtherSettings_OutOfRange_AreRefused_EachNamed()
    {
        var problems = Problems(new WakeUpOptions { HoldoutPercent = 101, CooldownDays = -1, Tier = "sleepy", CatalogueVersion = "a|b" });

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("WakeUp:HoldoutPercent 101", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("WakeUp:CooldownDays -1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("WakeUp:Tier 'sleepy' is not a tier", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("WakeUp:CatalogueVersion 'a|b'", StringComparison.Ordinal));
    }
}
