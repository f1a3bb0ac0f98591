using Engagement.Segmentation;
using Engagement.Users;

namespace Engagement.IntegrationTests.Segmentation;

/// <summary>Users who registered and never did anything: tiered by how long ago they registered.</summary>
public sealed class NoHistoryTierTests : IAsyncLifetime
{
    private static readonly DateOnly AsOf = new(2026, 3, 31);
    private static readonly TimeSpan Ops = ActivityJson.OpsOffset;
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync();
        await Population.SeedAsync(_engine, 300, AsOf);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task<string> TierAfterRunOfUserRegisteredAt(string userId, DateTimeOffset registeredOn)
    {
        await _engine.Get<UserStore>().UpsertProfilesAsync([(userId, new UserProfile { RegisteredOn = registeredOn, Source = "import" })], 1, TestEngine.Deadline());
        await LocalNightly.RunAsync(_engine, AsOf, NightlyStartMode.NewAttempt, null, TestEngine.Deadline());
        var user = await _engine.Get<UserStore>().GetAsync(userId, TestEngine.Deadline());
        return user!.Standing!.Tier;
    }

    [Fact]
    public async Task RegisteredRecentlyOrLongAgo_PotentialOrDormant()
    {
        Assert.Equal("potential", await TierAfterRunOfUserRegisteredAt("nh-recent", new DateTimeOffset(AsOf.AddDays(-3).ToDateTime(new TimeOnly(15, 0)), Ops)));
        Assert.Equal("dormant", await TierAfterRunOfUserRegisteredAt("nh-old", new DateTimeOffset(AsOf.AddDays(-200).ToDateTime(new TimeOnly(15, 0)), Ops)));
    }

    [Fact]
    public async Task RegisteredOnTheSameOpsDay_SameTier_WhateverTheHour()
    {
        // 30 days before the as-of date (the last day that is still "recent"), in the morning and in the afternoon
        var day = AsOf.AddDays(-30);
        var afternoon = await TierAfterRunOfUserRegisteredAt("nh-afternoon", new DateTimeOffset(day.ToDateTime(new TimeOnly(15, 0)), Ops));
        var morning = await TierAfterRunOfUserRegisteredAt("nh-morning", new DateTimeOffset(day.ToDateTime(new TimeOnly(7, 0)), Ops));
        Assert.Equal("potential", afternoon);
        Assert.Equal("potential", morning);
    }
}
