using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Playbooks;
using Engagement.Segmentation;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Tests.Playbooks;

/// <summary>A run's trigger: the same text for the same run (the campaigns table's duplicate check depends on it), valid under the marketing contract.</summary>
public class PlaybookTriggerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 2, 5, 0, TimeSpan.Zero);

    private readonly CampaignTriggerParser _parser = new(
        new TierClassifier(new SegmentationOptions()),
        new MessageTemplates(),
        Options.Create(new SmsOptions()),
        Options.Create(new CampaignOptions()),
        new FakeTimeProvider(Now));

    private static PlaybookOccurrence December(string playbook) =>
        new PlaybookSchedule(playbook, PlaybookDefaults.MonthlyOnTheFirst, PlaybookPeriod.Month, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).Latest(Now)!;

    [Fact]
    public void SameRun_SameText_EvenFromFreshlyBoundDefinitions()
    {
        var a = PlaybookTrigger.Build(PlaybookDefaults.Create()["winback"], December("winback"));
        var b = PlaybookTrigger.Build(PlaybookDefaults.Create()["winback"], December("winback"));
        Assert.Equal(a, b);
        Assert.NotEqual(a, PlaybookTrigger.Build(PlaybookDefaults.Create()["winback"], December("winback") with { Period = "2027-01", RunId = "winback-2027-01" }));
    }

    [Theory]
    [InlineData("winback", 10, 1, 2)]
    [InlineData("highvalue", 0, 3, 1)]
    public void DefaultRuns_AreValidTriggers_KeyedByRunAndHeldOutByPlaybook(string playbook, int holdout, int coupons, int channels)
    {
        var trigger = _parser.Parse(PlaybookTrigger.Build(PlaybookDefaults.Create()[playbook], December(playbook)));

        Assert.Equal(($"{playbook}-2026-12", playbook, holdout), (trigger.CampaignId, trigger.HoldoutKey, trigger.HoldoutPercent));
        Assert.Equal(coupons, trigger.Coupons.Count);
        Assert.Equal(channels, trigger.Channels.Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero), trigger.SendAt);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero), trigger.ExpiresAt);
    }

    [Fact]
    public void WinbackTemplates_SpeakChineseOrEnglishByLanguage_WithTheCoupon()
    {
        var templates = new MessageTemplates();
        var sms = PlaybookDefaults.Create()["winback"].Channels.Single(c => c.Channel == Channels.Sms).Template;
        var zh = templates.Render(sms, TemplateValues.Sample("winback 2026-12", Languages.Chinese), new Dictionary<string, string>());
        var en = templates.Render(sms, TemplateValues.Sample("winback 2026-12", Languages.English), new Dictionary<string, string>());
        Assert.Contains("好久不见", zh, StringComparison.Ordinal);
        Assert.Contains("K7MP-3QXZ-8HRC", zh, StringComparison.Ordinal);
        Assert.StartsWith("We miss you", en, StringComparison.Ordinal);
        Assert.Contains("20 CNY", en, StringComparison.Ordinal);
    }
}
