using System.Text.Json;
using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Referrals;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Tests.Referrals;

/// <summary>The referral decisions (pure), the reward's trigger text and the <c>Referral</c> settings as the engine validates them.</summary>
public class ReferralRulesTests
{
    private const int Day0 = 740_000;

    private static readonly ReferralOptions Defaults = new();

    private static ActivityAggregate ActiveOn(params int[] days)
    {
        var a = new ActivityAggregate();
        foreach (var d in days)
        {
            a.Apply(new ActivityEvent($"e{d}", "friend", ActivityType.Login, 0, null, DateTimeOffset.UnixEpoch), d);
        }

        return a;
    }

    [Theory]
    [InlineData(null, "alice", LinkDecision.Link)]
    [InlineData("alice", "alice", LinkDecision.Repeat)]
    [InlineData("alice", "bob", LinkDecision.OtherReferrer)]
    [InlineData("alice", "Alice", LinkDecision.OtherReferrer)] // ids are compared exactly
    public void Link_TheFirstReferrerWins(string? current, string referrer, LinkDecision expected) =>
        Assert.Equal(expected, ReferralRules.Link(current, referrer));

    [Fact]
    public void ActiveOn_TheSignUpDayAlone_IsNotActive() =>
        Assert.Null(ReferralRules.ActiveOn(ActiveOn(Day0), Day0, Defaults));

    [Fact]
    public void ActiveOn_ASecondDayInTheWindow_IsTheDayTheFriendBecameActive() =>
        Assert.Equal(Day0 + 5, ReferralRules.ActiveOn(ActiveOn(Day0, Day0 + 5, Day0 + 9), Day0, Defaults));

    [Fact]
    public void ActiveOn_ADayAfterTheWindow_DoesNotCount()
    {
        Assert.Equal(Day0 + 29, ReferralRules.ActiveOn(ActiveOn(Day0, Day0 + 29), Day0, Defaults)); // the 30th day, the referral's included
        Assert.Null(ReferralRules.ActiveOn(ActiveOn(Day0, Day0 + 30), Day0, Defaults));
    }

    [Fact]
    public void ActiveOn_DaysBeforeTheReferral_DoNotCount() =>
        Assert.Null(ReferralRules.ActiveOn(ActiveOn(Day0 - 3, Day0 - 1, Day0), Day0, Defaults));

    [Fact]
    public void ActiveOn_FollowsTheSettings() =>
        Assert.Equal(Day0 + 2, ReferralRules.ActiveOn(ActiveOn(Day0 + 1, Day0 + 2), Day0, new ReferralOptions { FriendActiveDays = 2, WithinDays = 3 }));

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void Rewarded_AtTheNumberNeeded(int active, bool rewarded) => Assert.Equal(rewarded, ReferralRules.Rewarded(active, Defaults));

    [Fact]
    public void CampaignId_IsAValidCampaignIdPerReferrer_WhateverTheUserIdHolds()
    {
        var id = ReferralTrigger.CampaignId("用户|42 with spaces");

        Assert.Matches("^referral-[0-9a-f]{16}$", id);
        Assert.Equal(id, ReferralTrigger.CampaignId("用户|42 with spaces"));
        Assert.NotEqual(id, ReferralTrigger.CampaignId("用户|43 with spaces"));
    }

    [Fact]
    public void Trigger_IsTheSameTextEveryTime_ForTheReferrerOnly_InAppWithTheCoupon()
    {
        var text = ReferralTrigger.Build("alice", Defaults);
        Assert.Equal(text, ReferralTrigger.Build("alice", new ReferralOptions()));

        var trigger = Engine().GetRequiredService<CampaignTriggerParser>().Parse(text);
        Assert.Equal(ReferralTrigger.CampaignId("alice"), trigger.CampaignId);
        Assert.Equal(["alice"], trigger.Audience.UserIds);
        Assert.Equal("inapp", Assert.Single(trigger.Channels).Channel);
        Assert.Null(trigger.SendAt);
        using var json = JsonDocument.Parse(text);
        var coupon = Assert.Single(json.RootElement.GetProperty("coupons").EnumerateArray());
        Assert.Equal(("referral-50", 50m, "CNY", 30), (coupon.GetProperty("item").GetString(), coupon.GetProperty("value").GetDecimal(), coupon.GetProperty("currency").GetString(), coupon.GetProperty("validDays").GetInt32()));
    }

    private static ServiceProvider Engine(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("Storage:ConnectionString", "UseDevelopmentStorage=true")))
            .Build();
        return new ServiceCollection().AddLogging().AddEngagement(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Settings_Defaults_AreValid()
    {
        var options = Engine().GetRequiredService<IOptions<ReferralOptions>>().Value;

        Assert.Equal((true, 3, 2, 30, "referral-50", 50m), (options.Enabled, options.FriendsNeeded, options.FriendActiveDays, options.WithinDays, options.CouponItem, options.CouponValue));
        Assert.Equal(ReferralOptions.DefaultTemplate, options.TemplateInForce);
    }

    [Fact]
    public void Settings_BadValues_AreRefusedEachNamingItsSetting()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Engine(
            ("Referral:FriendsNeeded", "0"), ("Referral:WithinDays", "0"), ("Referral:FriendActiveDays", "0"),
            ("Referral:CouponItem", "Referral 50"), ("Referral:CouponValue", "0"), ("Referral:CouponCurrency", "yuan"), ("Referral:CouponValidDays", "400"))
            .GetRequiredService<IOptions<ReferralOptions>>().Value);

        foreach (var setting in new[] { "FriendsNeeded", "WithinDays", "FriendActiveDays", "CouponItem", "CouponValue", "CouponCurrency", "CouponValidDays" })
        {
            Assert.Contains(ex.Failures, f => f.StartsWith($"Referral:{setting} ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Settings_ATemplateThatDoesNotRender_StopsTheStart()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Engine(("Referral:Template", "Hi {{ nmae }}")).GetRequiredService<IOptions<ReferralOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.Contains("Referral:Template", StringComparison.Ordinal) && f.Contains("nmae", StringComparison.Ordinal));
    }

    [Fact]
    public void Settings_FriendActiveDaysBeyondTheWindow_IsRefused()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Engine(("Referral:FriendActiveDays", "8"), ("Referral:WithinDays", "7")).GetRequiredService<IOptions<ReferralOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.Contains("Referral:FriendActiveDays must be 1-7", StringComparison.Ordinal));
    }
}
