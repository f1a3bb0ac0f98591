using System.Text.Json.Nodes;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Messaging;
using Engagement.Segmentation;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Tests.Campaigns;

/// <summary>The trigger's <c>holdoutKey</c> and <c>coupons</c>, which playbook runs use and marketing may.</summary>
public class TriggerCouponsTests
{
    private readonly CampaignTriggerParser _parser = new(
        new TierClassifier(new SegmentationOptions()),
        new MessageTemplates(),
        Options.Create(new SmsOptions()),
        Options.Create(new CampaignOptions()),
        new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero)));

    private static JsonObject Trigger(JsonArray? coupons = null, string? holdoutKey = null, string template = "Hi {{ tier }}")
    {
        var trigger = new JsonObject
        {
            ["schemaVersion"] = 1,
            ["campaignId"] = "winback-2026-12",
            ["name"] = "Win-back",
            ["audience"] = new JsonObject { ["tiers"] = new JsonArray("dormant") },
            ["channels"] = new JsonArray(new JsonObject { ["channel"] = "sms", ["template"] = template }),
        };
        if (coupons is not null)
        {
            trigger["coupons"] = coupons;
        }

        if (holdoutKey is not null)
        {
            trigger["holdoutKey"] = holdoutKey;
        }

        return trigger;
    }

    private static JsonObject Coupon(string item = "winback-7d", decimal value = 20, string currency = "CNY", int validDays = 7) =>
        new() { ["item"] = item, ["value"] = value, ["currency"] = currency, ["validDays"] = validDays };

    [Fact]
    public void HoldoutKey_Absent_IsTheCampaignId_SoMarketingTriggersDrawTheirHoldoutAsBefore()
    {
        var trigger = _parser.Parse(Trigger().ToJsonString());

        Assert.Equal("winback-2026-12", trigger.HoldoutKey);
        Assert.Empty(trigger.Coupons);
        Assert.False(trigger.ToOrder().IssuesCoupons);
    }

    [Fact]
    public void HoldoutKey_Given_IsKept_AndTheDrawDependsOnItNotOnTheCampaign()
    {
        var december = _parser.Parse(Trigger(holdoutKey: "winback").ToJsonString());
        var january = _parser.Parse(Trigger(holdoutKey: "winback").ToJsonString().Replace("winback-2026-12", "winback-2027-01", StringComparison.Ordinal));

        Assert.Equal("winback", december.HoldoutKey);
        var users = Enumerable.Range(0, 2_000).Select(i => $"u{i:D5}").ToList();
        Assert.Equal(
            users.Select(u => CampaignPlanner.IsHeldOut(december.HoldoutKey, u, 10)),
            users.Select(u => CampaignPlanner.IsHeldOut(january.HoldoutKey, u, 10)));
        // by campaign id the two months would draw different groups
        Assert.NotEqual(
            users.Select(u => CampaignPlanner.IsHeldOut(december.CampaignId, u, 10)),
            users.Select(u => CampaignPlanner.IsHeldOut(january.CampaignId, u, 10)));
    }

    [Fact]
    public void Coupons_Valid_AreParsed_AndTheOrderSaysItIssuesCoupons()
    {
        var trigger = _parser.Parse(Trigger(new JsonArray(Coupon(), Coupon("vip-50", 12.5m, "USD", 30))).ToJsonString());

        Assert.Equal([new CouponOffer("winback-7d", 20m, "CNY", 7), new CouponOffer("vip-50", 12.5m, "USD", 30)], trigger.Coupons);
        Assert.True(trigger.ToOrder().IssuesCoupons);
    }

    [Theory]
    [InlineData(0, "CNY", 7, "coupons[0].value must be more than 0")]
    [InlineData(-5, "CNY", 7, "coupons[0].value must be more than 0")]
    [InlineData(1.005, "CNY", 7, "coupons[0].value must be more than 0 and at most 100000, with at most 2 decimals")]
    [InlineData(20, "yuan", 7, "coupons[0].currency must be an ISO 4217 code")]
    [InlineData(20, "CNY", 0, "coupons[0].validDays must be 1-365")]
    [InlineData(20, "CNY", 366, "coupons[0].validDays must be 1-365")]
    public void Coupons_Bad_AreRefusedNamingTheField(double value, string currency, int validDays, string expected)
    {
        var ex = Assert.Throws<MalformedMessageException>(() => _parser.Parse(Trigger(new JsonArray(Coupon(value: (decimal)value, currency: currency, validDays: validDays))).ToJsonString()));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Coupons_RepeatedItemMissingFieldsAndUnknownProperty_AreEachNamed()
    {
        var odd = new JsonObject { ["item"] = "winback-7d", ["value"] = 5, ["currency"] = "CNY", ["validDays"] = 3, ["percent"] = 10 };
        var ex = Assert.Throws<MalformedMessageException>(() => _parser.Parse(Trigger(new JsonArray(Coupon(), odd, new JsonObject())).ToJsonString()));

        Assert.Contains("unknown property 'coupons[1].percent'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("coupons[1].item 'winback-7d' is listed twice", ex.Message, StringComparison.Ordinal);
        Assert.Contains("coupons[2].item must be", ex.Message, StringComparison.Ordinal);
        Assert.Contains("coupons[2].value must be", ex.Message, StringComparison.Ordinal);
        Assert.Contains("coupons[2].currency must be", ex.Message, StringComparison.Ordinal);
        Assert.Contains("coupons[2].validDays must be", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HoldoutKey_NotAKey_IsRefused()
    {
        var ex = Assert.Throws<MalformedMessageException>(() => _parser.Parse(Trigger(holdoutKey: "win back/1").ToJsonString()));

        Assert.Contains("holdoutKey must be", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_UsingTheCouponAndLanguage_IsValid_AndItsSmsLengthIsCheckedInBothLanguages()
    {
        const string Template = "{% if language == 'zh' %}送您{{ coupon_value }}元券 {{ coupon_code }}，{{ coupon_expires_at }}前有效{% else %}A {{ coupon_currency }} {{ coupon_value }} coupon for you: {{ coupon_code }}, valid until {{ coupon_expires_at }}{% endif %}";
        Assert.Equal(Template, _parser.Parse(Trigger(new JsonArray(Coupon()), template: Template).ToJsonString()).Channels[0].Template);

        // a Chinese branch that only fits when the English one is rendered: refused for its length
        var longChinese = "{% if language == 'zh' %}" + new string('券', 600) + "{% else %}short{% endif %}";
        var ex = Assert.Throws<MalformedMessageException>(() => _parser.Parse(Trigger(template: longChinese).ToJsonString()));
        Assert.Contains("SMS segments", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_NamedLikeANewBuiltIn_AreRefused()
    {
        var trigger = Trigger();
        trigger["variables"] = new JsonObject { ["coupon_code"] = "X" };

        var ex = Assert.Throws<MalformedMessageException>(() => _parser.Parse(trigger.ToJsonString()));

        Assert.Contains("variables.coupon_code", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+8613800138000", "UTC", "zh")]
    [InlineData("+85291234567", "UTC", "zh")]
    [InlineData("+14155550100", "Asia/Shanghai", "en")]
    [InlineData(null, "Asia/Shanghai", "zh")]
    [InlineData(null, "Europe/London", "en")]
    public void LanguageOf_PhoneCountryFirst_ThenTheZone(string? phone, string zone, string expected) =>
        Assert.Equal(expected, DeliveryComposer.LanguageOf(phone, TimeZoneInfo.FindSystemTimeZoneById(zone)));
}
