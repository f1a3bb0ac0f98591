using Engagement.Campaigns;
using Engagement.Playbooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Tests.Playbooks;

/// <summary>Playbook settings as the engine binds and validates them (AddEngagement with in-memory configuration; no storage is touched).</summary>
public class PlaybookOptionsTests
{
    private static ServiceProvider Engine(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("Storage:ConnectionString", "UseDevelopmentStorage=true")))
            .Build();
        return new ServiceCollection().AddLogging().AddEngagement(configuration).BuildServiceProvider();
    }

    private static PlaybookOptions Bound(params (string Key, string Value)[] settings) => Engine(settings).GetRequiredService<IOptions<PlaybookOptions>>().Value;

    private static IReadOnlyList<string> Errors(params (string Key, string Value)[] settings)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Bound(settings));
        return ex.Failures.ToList();
    }

    [Fact]
    public void Defaults_WinbackAndHighValue_AreValidAndEnabled()
    {
        var options = Bound();
        Assert.Equal(["highvalue", "memberday", "winback"], options.Definitions.Keys.Order(StringComparer.Ordinal));
        var winback = options.Definitions["winback"];
        Assert.Equal((true, "0 0 2 1 * *", 10, 14), (winback.Enabled, winback.Schedule, winback.HoldoutPercent, winback.AttributionDays));
        Assert.Equal(["inapp", "sms"], winback.Channels.Select(c => c.Channel));
        Assert.Equal(7, Assert.Single(winback.Coupons).ValidDays);
        Assert.InRange(options.Definitions["highvalue"].Coupons.Count, 2, 3);
    }

    [Fact]
    public void OneSetting_DisablesOnePlaybook_AndLeavesTheRestOfItsDefaults()
    {
        var options = Bound(("Playbooks:winback:Enabled", "false"));
        var winback = options.Definitions["winback"];
        Assert.False(winback.Enabled);
        Assert.Equal(2, winback.Channels.Count);
        Assert.True(options.Definitions["highvalue"].Enabled);
    }

    [Fact]
    public void AListElement_ChangesByIndex_AnEmptyKeyRemovesIt_AndANewNameIsANewPlaybook()
    {
        var options = Bound(
            ("Playbooks:WINBACK:Channels:1:Template", "Hi {{ coupon_code }}"),
            ("Playbooks:highvalue:Channels:0:Channel", ""),
            ("Playbooks:highvalue:Channels:1:Channel", "sms"),
            ("Playbooks:highvalue:Channels:1:Template", "Your pack: {{ coupon_count }} coupons"),
            ("Playbooks:vip:Tiers:0", "high-value"),
            ("Playbooks:vip:Channels:0:Channel", "inapp"),
            ("Playbooks:vip:Channels:0:Title", "Hello"),
            ("Playbooks:vip:Channels:0:Template", "Hello"),
            ("Playbooks:vip:Period", "Week"));
        var winback = options.Definitions["winback"];
        Assert.Equal(["inapp", "sms"], winback.Channels.Select(c => c.Channel));
        Assert.Equal("Hi {{ coupon_code }}", winback.Channels[1].Template);
        Assert.Equal(PlaybookDefaults.Create()["winback"].Channels[0].Template, winback.Channels[0].Template);
        Assert.Equal(["sms"], options.Definitions["highvalue"].Channels.Select(c => c.Channel));
        Assert.Equal((PlaybookPeriod.Week, "high-value"), (options.Definitions["vip"].Period, options.Definitions["vip"].Tiers.Single()));
    }

    [Theory]
    [InlineData("Playbooks:winback:Coupons:0:Value", "0", "Playbooks:winback:Coupons:0:Value")]
    [InlineData("Playbooks:winback:Coupons:0:Currency", "yuan", "Playbooks:winback:Coupons:0:Currency")]
    [InlineData("Playbooks:winback:Schedule", "0 2 1 * *", "Playbooks:winback:Schedule")]
    [InlineData("Playbooks:highvalue:Tiers:0", "vip", "Playbooks:highvalue:Tiers:0")]
    [InlineData("Playbooks:winback:Channels:1:Channel", "fax", "Playbooks:winback:Channels:1:Channel")]
    [InlineData("Playbooks:winback:Channels:1:Template", "{{ coupon_cod }}", "Playbooks:winback:Channels:1:Template")]
    [InlineData("Playbooks:winback:Channels:0:Template", "{% if %}", "Playbooks:winback:Channels:0:Template")]
    [InlineData("Playbooks:winback:HoldoutPercent", "100", "Playbooks:winback:HoldoutPercent")]
    [InlineData("Playbooks:Win_Back:Tiers:0", "dormant", "Playbooks:Win_Back")]
    [InlineData("Playbooks:SmsPriceCurrency", "RMB1", "Playbooks:SmsPriceCurrency")]
    [InlineData("Playbooks:winback:Enabeld", "false", "Playbooks:winback:Enabeld is not a playbook setting")]
    [InlineData("Playbooks:winback:Coupons:0:Valeu", "5", "Playbooks:winback:Coupons:0:Valeu is not a playbook setting")]
    [InlineData("Playbooks:winbak:Enabled", "false", "Playbooks:winbak: not a known playbook")]
    public void ABadSetting_StopsTheStart_NamingTheSetting(string key, string value, string named)
    {
        var errors = Errors((key, value));
        Assert.Contains(errors, e => e.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void ASmsTemplateThatRendersTooLong_IsRefusedAsTheRunWouldBe()
    {
        var errors = Errors(("Playbooks:winback:Channels:1:Template", new string('长', 500)));
        Assert.Contains(errors, e => e.StartsWith("Playbooks:winback: a run would be refused", StringComparison.Ordinal) && e.Contains("Playbooks:winback:Channels:1:Template", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_OfTheDefaults_AreNone_AndTheirRunsParseAsCampaignTriggers()
    {
        using var engine = Engine();
        var validator = engine.GetServices<IValidateOptions<PlaybookOptions>>().OfType<PlaybookOptionsValidator>().Single();
        foreach (var (name, definition) in PlaybookDefaults.Create())
        {
            Assert.Empty(validator.Problems(name, definition));
        }
    }
}
