using Engagement.Activity;
using Engagement.Messaging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Tests.Activity;

/// <summary>The <c>content_open</c> / <c>content_click</c> activity events: the item and the delivery, each field checked with its reason.</summary>
public class ContentEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private const string Delivery = "\"content-w10-recipe_s03/inapp|1|u1\"";

    private readonly ActivityEventParser _parser = new(Options.Create(new ActivityOptions()), new FakeTimeProvider(Now));

    private static string Content(string type = "content_open", string? contentId = "\"recipe-1\"", string? deliveryId = Delivery, string extra = "") =>
        $"{{\"eventId\":\"c1\",\"userId\":\"u1\",\"type\":\"{type}\"{(contentId is null ? "" : $",\"contentId\":{contentId}")}{(deliveryId is null ? "" : $",\"deliveryId\":{deliveryId}")}{extra},\"occurredAt\":\"2026-03-01T08:00:00Z\"}}";

    private string Refused(string json) => Assert.Throws<MalformedMessageException>(() => _parser.Parse(json)).Message;

    [Theory]
    [InlineData("content_open", ContentAction.Open)]
    [InlineData("content_click", ContentAction.Click)]
    public void Parse_ContentEvent_IsAnInteractionNamingItemAndDelivery(string type, ContentAction action)
    {
        var e = Assert.Single(_parser.Parse(Content(type, extra: ",\"category\":\"Fitness\"")));

        Assert.Equal((ActivityType.Interaction, "fitness", 0L), (e.Type, e.Category, e.AmountMinor));
        Assert.Equal(new ContentInteraction(action, "recipe-1", "content-w10-recipe_s03/inapp|1|u1"), e.Content);
    }

    [Theory]
    [InlineData(null, "event[0] (c1): a content_open needs a contentId")]
    [InlineData("\"\"", "contentId is empty")]
    [InlineData("\"   \"", "contentId is empty")]
    [InlineData("\"a/b\"", "contentId contains '/'")]
    [InlineData("\" recipe-1\"", "contentId has leading or trailing whitespace")]
    public void Parse_ContentEventWithoutAUsableContentId_IsRefused(string? contentId, string error)
    {
        Assert.Contains(error, Refused(Content(contentId: contentId)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "a content_click needs a deliveryId (the delivery that brought the item)")]
    [InlineData("\"\"", "deliveryId is empty")]
    [InlineData("\"no-slash\"", "deliveryId 'no-slash' is not a delivery id ({campaignId}_{shard}/{channel}|{occurrence}|{userId})")]
    [InlineData("\"/inapp|1|u1\"", "deliveryId '/inapp|1|u1': its campaign part is empty")]
    [InlineData("\"c_s01/\"", "deliveryId 'c_s01/': its recipient part is empty")]
    [InlineData("\"c_s01/inapp#1\"", "deliveryId 'c_s01/inapp#1': its recipient part contains '#'")]
    public void Parse_ContentEventWithoutAUsableDeliveryId_IsRefused(string? deliveryId, string error)
    {
        Assert.Contains(error, Refused(Content("content_click", deliveryId: deliveryId)), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ContentEventMissingBoth_ListsBothReasons()
    {
        var error = Refused(Content(contentId: null, deliveryId: null));

        Assert.Contains("a content_open needs a contentId", error, StringComparison.Ordinal);
        Assert.Contains("a content_open needs a deliveryId", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("interaction")]
    [InlineData("login")]
    public void Parse_ContentFieldsOnAnotherType_AreRefused(string type)
    {
        var error = Refused(Content(type));

        Assert.Contains("contentId is only allowed on content_open or content_click", error, StringComparison.Ordinal);
        Assert.Contains("deliveryId is only allowed on content_open or content_click", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReferrerOnAContentEvent_IsRefused()
    {
        Assert.Contains("referrer is only allowed on a referral", Refused(Content(extra: ",\"referrer\":\"alice\"")), StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_OpenAndClickOfOneItem_Differ_AndOtherEventsKeepTheirs()
    {
        var open = Assert.Single(_parser.Parse(Content()));
        var click = Assert.Single(_parser.Parse(Content("content_click")));
        var plain = open with { Content = null };

        Assert.NotEqual(SeenEvents.Fingerprint(open), SeenEvents.Fingerprint(click));
        Assert.NotEqual(SeenEvents.Fingerprint(open), SeenEvents.Fingerprint(open with { Content = open.Content! with { DeliveryId = "other_s01/inapp|1|u1" } }));
        Assert.NotEqual(SeenEvents.Fingerprint(plain), SeenEvents.Fingerprint(open));
    }
}
