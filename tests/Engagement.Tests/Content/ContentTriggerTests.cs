using Engagement.Campaigns;
using Engagement.Content;

namespace Engagement.Tests.Content;

/// <summary>A weekly content campaign as the pipeline's parser reads it: the contract with the interactions' store and the templates.</summary>
public sealed class ContentTriggerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);

    private static ContentItem Item(string body) =>
        new("recipe-1", "Protein bowl", body, "app://content/recipe-1", ["fitness", "recipes"], [], "zh-CN", Now.AddDays(-1), null, 1);

    private static CampaignTrigger Parse(ContentItem item, bool push = true) =>
        TestParsers.Default(Now).Parse(ContentTrigger.Build("content-2026-W50-recipe-1-0", "2026-W50", item, ["u2", "u1"], Now.AddDays(3), push, new CampaignOptions().MaxTemplateChars));

    [Fact]
    public void Trigger_ListsTheUsers_PushThenInAppFallback_AndCarriesTheContentId()
    {
        var trigger = Parse(Item("Ten minutes, {{ not a variable }} {% if %}"));

        Assert.Equal("content-2026-W50-recipe-1-0", trigger.CampaignId);
        Assert.Equal(["u1", "u2"], trigger.Audience.UserIds);
        Assert.Equal([("push", false), ("inapp", true)], trigger.Channels.Select(c => (c.Channel, c.Fallback)));
        Assert.All(trigger.Channels, c => Assert.Equal("Protein bowl", c.Title));
        Assert.Equal("recipe-1", trigger.Variables["content_id"]);
        Assert.Equal("app://content/recipe-1", trigger.Variables["deep_link"]);
        Assert.Equal(0, trigger.HoldoutPercent); // the run drew its holdout itself: nobody listed is held out again
    }

    [Fact]
    public void WithoutAPushProvider_InAppOnly()
    {
        Assert.Equal(["inapp"], Parse(Item("x"), push: false).Channels.Select(c => c.Channel));
    }

    [Fact]
    public void BodyLongerThanTheTemplateLimit_IsCut_NotRefused()
    {
        var trigger = Parse(Item(new string('a', 4_000)));

        Assert.True(trigger.Channels[0].Template.Length <= new CampaignOptions().MaxTemplateChars);
        Assert.Contains("…", trigger.Channels[0].Template, StringComparison.Ordinal);
    }
}
