using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Playbooks;
using Engagement.Segmentation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Tests.Playbooks;

/// <summary>Member day: a playbook with level bands is one campaign trigger per band; bands are settings, merged and validated like the rest.</summary>
public class MemberDayBandsTests
{
    // 12:00 Shanghai on 18 Dec, after the occurrence (02:00 UTC)
    private static readonly DateTimeOffset Now = new(2026, 12, 18, 4, 0, 0, TimeSpan.Zero);

    private readonly CampaignTriggerParser _parser = TestParsers.Default(Now);

    private static PlaybookOccurrence December() =>
        new PlaybookSchedule(PlaybookDefaults.MemberDay, PlaybookDefaults.MonthlyOnThe18th, PlaybookPeriod.Month, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).Latest(Now)!;

    private static PlaybookOptions Bound(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("Storage:ConnectionString", "UseDevelopmentStorage=true")))
            .Build();
        return new ServiceCollection().AddLogging().AddEngagement(configuration).BuildServiceProvider().GetRequiredService<IOptions<PlaybookOptions>>().Value;
    }

    private static List<string> Errors(params (string Key, string Value)[] settings) =>
        [.. Assert.Throws<OptionsValidationException>(() => Bound(settings)).Failures];

    [Fact]
    public void Default_OneTriggerPerBand_NarrowedToItsLevels_IssuingItsBenefit()
    {
        var definition = PlaybookDefaults.Create()[PlaybookDefaults.MemberDay];
        var run = December();

        var campaigns = PlaybookTrigger.CampaignsOf(definition, run.RunId);
        var triggers = campaigns.Select(c => _parser.Parse(PlaybookTrigger.Build(definition, run, c.Band))).ToList();

        Assert.Equal(("memberday-2026-12", new DateTimeOffset(2026, 12, 18, 2, 0, 0, TimeSpan.Zero)), (run.RunId, run.At));
        Assert.Equal(["memberday-2026-12-l1-3", "memberday-2026-12-l4-6", "memberday-2026-12-l7-8"], triggers.Select(t => t.CampaignId));
        Assert.Equal(["levels 1-3", "levels 4-6", "levels 7-8"], campaigns.Select(c => c.Levels));
        Assert.Equal([new LevelRange(1, 3), new LevelRange(4, 6), new LevelRange(7, 8)], triggers.Select(t => t.Audience.Levels));
        Assert.Equal([10m, 30m, 80m], triggers.Select(t => Assert.Single(t.Coupons).Value));
        Assert.All(triggers, t =>
        {
            Assert.Equal(["high-value", "potential", "regular", "dormant"], t.Audience.Tiers);
            Assert.Equal((PlaybookDefaults.MemberDay, 0, 3), (t.HoldoutKey, t.HoldoutPercent, t.Coupons[0].ValidDays));
            Assert.Equal([Channels.InApp], t.Channels.Select(c => c.Channel));
            Assert.Equal(run.At, t.SendAt);
        });
        Assert.Equal("level 4-6", triggers[1].Variables["band_en"]);
    }

    [Fact]
    public void BandTrigger_SameRunSameText_AndAPlaybookWithoutBandsKeepsItsText()
    {
        var run = December();
        var a = PlaybookDefaults.Create()[PlaybookDefaults.MemberDay];
        var b = PlaybookDefaults.Create()[PlaybookDefaults.MemberDay];
        Assert.Equal(PlaybookTrigger.Build(a, run, a.Bands[2]), PlaybookTrigger.Build(b, run, b.Bands[2]));
        Assert.Contains("\"levels\":{\"min\":7,\"max\":8}", PlaybookTrigger.Build(a, run, a.Bands[2]), StringComparison.Ordinal);

        var winback = PlaybookDefaults.Create()[PlaybookDefaults.Winback];
        var only = Assert.Single(PlaybookTrigger.CampaignsOf(winback, "winback-2026-12"));
        Assert.Equal(("winback-2026-12", null), (only.CampaignId, only.Band));
        Assert.DoesNotContain("levels", PlaybookTrigger.Build(winback, run with { Playbook = "winback", RunId = "winback-2026-12" }), StringComparison.Ordinal);
    }

    [Fact]
    public void MemberDayTemplate_NamesTheBandAndItsCoupon_InBothLanguages()
    {
        var definition = PlaybookDefaults.Create()[PlaybookDefaults.MemberDay];
        var templates = new MessageTemplates();
        var values = TemplateValues.Sample("memberday 2026-12 l4-6", Languages.Chinese) with { CouponValue = "30", CouponCurrency = "CNY", CouponCount = 1 };
        var zh = templates.Render(definition.Channels[0].Template, values, definition.Bands[1].Variables);
        var en = templates.Render(definition.Channels[0].Template, values with { Language = Languages.English }, definition.Bands[1].Variables);

        Assert.Contains("4-6级会员专享：30元", zh, StringComparison.Ordinal);
        Assert.Contains("For level 4-6 members: a 30 CNY coupon", en, StringComparison.Ordinal);
    }

    [Fact]
    public void Bands_MergeByIndex_ABandsCouponBySetting_AnEmptyNameRemovesIt()
    {
        var options = Bound(
            ("Playbooks:memberday:Bands:1:Coupons:0:Value", "35"),
            ("Playbooks:memberday:Bands:2:Name", ""),
            ("Playbooks:memberday:Bands:3:Name", "l7-8-vip"),
            ("Playbooks:memberday:Bands:3:MinLevel", "7"),
            ("Playbooks:memberday:Bands:3:MaxLevel", "8"),
            ("Playbooks:memberday:Bands:3:Coupons:0:Item", "memberday-vip"),
            ("Playbooks:memberday:Bands:3:Coupons:0:Value", "100"),
            ("Playbooks:memberday:Bands:3:Variables:band", "7-8级"),
            ("Playbooks:memberday:Bands:3:Variables:band_en", "level 7-8"));

        var bands = options.Definitions[PlaybookDefaults.MemberDay].Bands;
        Assert.Equal(["l1-3", "l4-6", "l7-8-vip"], bands.Select(b => b.Name));
        Assert.Equal(("memberday-l4-6", 35m, "CNY", 3), (bands[1].Coupons[0].Item, bands[1].Coupons[0].Value, bands[1].Coupons[0].Currency, bands[1].Coupons[0].ValidDays));
        Assert.Single(bands[1].Coupons);
        Assert.Equal((7, 8, 100m, 7), (bands[2].MinLevel, bands[2].MaxLevel, bands[2].Coupons[0].Value, bands[2].Coupons[0].ValidDays));
    }

    [Theory]
    [InlineData("Playbooks:memberday:Bands:1:MinLevel", "3", "Playbooks:memberday:Bands:1: levels 3-6 overlap Playbooks:memberday:Bands:0 (1-3)")]
    [InlineData("Playbooks:memberday:Bands:2:MaxLevel", "9", "Playbooks:memberday:Bands:2: MinLevel 7 and MaxLevel 9 must be levels 1-8")]
    [InlineData("Playbooks:memberday:Bands:0:MinLevel", "4", "Playbooks:memberday:Bands:0: MinLevel 4 and MaxLevel 3")]
    [InlineData("Playbooks:memberday:Bands:0:Name", "L1_3", "Playbooks:memberday:Bands:0:Name 'L1_3'")]
    [InlineData("Playbooks:memberday:Bands:1:Name", "l1-3", "Playbooks:memberday:Bands:1:Name 'l1-3' is listed twice")]
    [InlineData("Playbooks:memberday:Bands:0:Coupons:0:Value", "0", "Playbooks:memberday:Bands:0:Coupons:0:Value must be more than 0")]
    [InlineData("Playbooks:memberday:Bands:0:Coupon:0:Value", "5", "Playbooks:memberday:Bands:0:Coupon is not a playbook setting")]
    [InlineData("Playbooks:memberday:Bands:0:Coupons:0:Valeu", "5", "Playbooks:memberday:Bands:0:Coupons:0:Valeu is not a playbook setting")]
    [InlineData("Playbooks:memberday:Bands:0:Variables:Band-Name", "x", "Playbooks:memberday: a run would be refused")]
    public void ABadBand_StopsTheStart_NamingTheSetting(string key, string value, string named) =>
        Assert.Contains(Errors((key, value)), e => e.Contains(named, StringComparison.Ordinal));

    [Fact]
    public void ABandCouponAlsoIssuedByThePlaybook_IsRefused_AGapIsAllowed()
    {
        Assert.Contains(
            Errors(("Playbooks:memberday:Coupons:0:Item", "memberday-l1-3"), ("Playbooks:memberday:Coupons:0:Value", "5")),
            e => e.Contains("Playbooks:memberday:Bands:0:Coupons: item 'memberday-l1-3' is also one of Playbooks:memberday:Coupons", StringComparison.Ordinal));

        var gap = Bound(("Playbooks:memberday:Bands:0:Name", ""));
        Assert.Equal(["l4-6", "l7-8"], gap.Definitions[PlaybookDefaults.MemberDay].Bands.Select(b => b.Name));
    }
}
