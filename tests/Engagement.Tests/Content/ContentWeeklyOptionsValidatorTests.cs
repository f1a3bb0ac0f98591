using Engagement.Content;

namespace Engagement.Tests.Content;

public sealed class ContentWeeklyOptionsValidatorTests
{
    private static readonly string[] Tiers = ["high-value", "potential", "regular", "dormant"];

    [Fact]
    public void Defaults_AreValid() => Assert.Empty(ContentWeeklyOptionsValidator.Problems(new ContentWeeklyOptions(), Tiers));

    [Fact]
    public void EachBadSetting_IsNamed()
    {
        var options = new ContentWeeklyOptions { Schedule = "every monday", Tier = "vip", HoldoutPercent = 101, ExpiresAfterDays = 8 };

        var problems = ContentWeeklyOptionsValidator.Problems(options, Tiers).ToList();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Content:Weekly:Schedule 'every monday'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Content:Weekly:Tier 'vip'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Content:Weekly:HoldoutPercent 101", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Content:Weekly:ExpiresAfterDays 8", StringComparison.Ordinal));
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
