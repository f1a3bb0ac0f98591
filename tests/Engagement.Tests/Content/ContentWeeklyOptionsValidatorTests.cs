using Engagement.Content;
using Microsoft.Extensions.Configuration;

namespace Engagement.Tests.Content;

public sealed class ContentWeeklyOptionsValidatorTests
{
    private static readonly string[] Tiers = ["high-value", "potential", "regular", "dormant"];

    [Fact]
    public void Defaults_AreValid() => Assert.Empty(ContentWeeklyOptionsValidator.Problems(new ContentWeeklyOptions(), Tiers));

    [Theory]
    [InlineData("Schedule", "every monday", "Content:Weekly:Schedule 'every monday' is not a six-field NCRONTAB")]
    [InlineData("Tier", "vip", "Content:Weekly:Tier 'vip' is not a tier")]
    [InlineData("HoldoutPercent", "101", "Content:Weekly:HoldoutPercent 101 must be between 0 and 100")]
    [InlineData("ExpiresAfterDays", "8", "Content:Weekly:ExpiresAfterDays 8 must be 1..7")]
    [InlineData("ExpiresAfterDays", "0", "Content:Weekly:ExpiresAfterDays 0 must be 1..7")]
    [InlineData("AttributionDays", "0", "Content:Weekly:AttributionDays 0 must be 1..28")]
    [InlineData("AttributionDays", "29", "Content:Weekly:AttributionDays 29 must be 1..28")]
    public void ABadSetting_IsRefusedByName(string setting, string value, string problem)
    {
        var options = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [setting] = value }).Build().Get<ContentWeeklyOptions>()!;

        Assert.StartsWith(problem, Assert.Single(ContentWeeklyOptionsValidator.Problems(options, Tiers)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("recipe-1", 0, "content-2026-W49-recipe-1-0")]
    [InlineData("食谱 1", 2, "content-2026-W49-h")]
    public void CampaignId_StartsWithTheRunId_AndStaysAValidCampaignId(string item, int chunk, string expectedStart)
    {
        var id = ContentTrigger.CampaignId("content-2026-W49", item, chunk);

        Assert.StartsWith(expectedStart, id, StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", id);
        Assert.Equal(id, ContentTrigger.CampaignId("content-2026-W49", item, chunk));
    }
}
