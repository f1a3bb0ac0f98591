using Engagement.Activity;
using Engagement.Points;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Tests.Points;

/// <summary>Points settings as the engine binds and validates them (AddEngagement with in-memory configuration).</summary>
public sealed class PointsOptionsTests
{
    private static PointsOptions Bound(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("Storage:ConnectionString", "UseDevelopmentStorage=true")))
            .Build();
        using var services = new ServiceCollection().AddLogging().AddEngagement(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<PointsOptions>>().Value;
    }

    private static string Errors(params (string Key, string Value)[] settings) =>
        string.Join("\n", Assert.Throws<OptionsValidationException>(() => Bound(settings)).Failures);

    [Fact]
    public void Defaults_AreValid()
    {
        var o = Bound();

        Assert.Equal((1, 2, 10), (o.EarnFor(ActivityType.Login), o.EarnFor(ActivityType.Interaction), o.EarnFor(ActivityType.Purchase)));
        Assert.Equal(12, o.ExpiresAfterMonths);
        Assert.Equal(PointsOptions.DefaultThresholds, o.LevelThresholds);
        Assert.NotEmpty(o.Catalogue);
    }

    [Fact]
    public void ConfiguredLists_ReplaceTheDefaultsWhole_AndEarnChangesOneType()
    {
        var o = Bound(
            ("Points:Earn:Login", "0"),
            ("Points:LevelThresholds:0", "10"), ("Points:LevelThresholds:1", "20"), ("Points:LevelThresholds:2", "30"), ("Points:LevelThresholds:3", "40"),
            ("Points:LevelThresholds:4", "50"), ("Points:LevelThresholds:5", "60"), ("Points:LevelThresholds:6", "70"),
            ("Points:Catalogue:0:Item", "tea"), ("Points:Catalogue:0:Cost", "50"), ("Points:Catalogue:0:Value", "3"));

        Assert.Equal((0, 2), (o.EarnFor(ActivityType.Login), o.EarnFor(ActivityType.Interaction)));
        Assert.Equal([10L, 20, 30, 40, 50, 60, 70], o.LevelThresholds);
        var tea = Assert.Single(o.Catalogue);
        Assert.Equal(("tea", 50L, 3m, "CNY", 30), (tea.Item, tea.Cost, tea.Value, tea.Currency, tea.ValidDays));
    }

    [Fact]
    public void ThresholdsOutOfOrder_AreRefused_NamingTheSetting()
    {
        var errors = Errors(
            ("Points:LevelThresholds:0", "100"), ("Points:LevelThresholds:1", "300"), ("Points:LevelThresholds:2", "700"), ("Points:LevelThresholds:3", "500"),
            ("Points:LevelThresholds:4", "3000"), ("Points:LevelThresholds:5", "6000"), ("Points:LevelThresholds:6", "12000"));

        Assert.Contains("Points:LevelThresholds:3 (500) must be more than Points:LevelThresholds:2 (700)", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Points:LevelThresholds:0", "5", "Points:LevelThresholds must hold 7 values")]
    [InlineData("Points:Earn:Signup", "5", "Points:Earn:Signup is not an activity type")]
    [InlineData("Points:Earn:Purchase", "-1", "Points:Earn:Purchase must be 0")]
    [InlineData("Points:ExpiresAfterMonths", "0", "Points:ExpiresAfterMonths must be 1..36")]
    [InlineData("Points:CachedAccounts", "-1", "Points:CachedAccounts must be 0 (no cache) or more")]
    [InlineData("Points:Catalogue:0:Cost", "0", "Points:Catalogue:0:Cost must be more than 0")]
    [InlineData("Points:Catalogue:0:Item", "a|b", "Points:Catalogue:0:Item 'a|b' cannot be a coupon item")]
    [InlineData("Points:Catalogue:0:Currency", "yuan", "Points:Catalogue:0:Currency 'yuan' is not a three-letter")]
    public void ABadSetting_IsRefused_NamingIt(string key, string value, string named)
    {
        var settings = new List<(string, string)> { (key, value) };
        if (key.StartsWith("Points:Catalogue:0:", StringComparison.Ordinal) && !key.EndsWith(":Item", StringComparison.Ordinal))
        {
            settings.AddRange([("Points:Catalogue:0:Item", "tea"), ("Points:Catalogue:0:Value", "3")]);
            if (!key.EndsWith(":Cost", StringComparison.Ordinal))
            {
                settings.Add(("Points:Catalogue:0:Cost", "50"));
            }
        }
        else if (key.EndsWith(":Item", StringComparison.Ordinal))
        {
            settings.AddRange([("Points:Catalogue:0:Cost", "50"), ("Points:Catalogue:0:Value", "3")]);
        }

        Assert.Contains(named, Errors([.. settings]), StringComparison.Ordinal);
    }
}
