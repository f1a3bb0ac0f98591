using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Wallet;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// A trigger's <c>coupons</c>: issued at planning to every recipient not held out, shown in the message
/// by <c>coupon_code</c> (the recipient's own), never issued twice whatever replays or resumes, and not
/// at all for a dry run.
/// </summary>
public sealed class CampaignCouponsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai
    private const int Dormant = 40;
    private readonly StoppedClock _clock = new(Now);
    private readonly RecordingSender _sms = new(Channels.Sms);
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(_sms));
        await Population.SeedSmsRecipientsAsync(_engine, "cp", "+861390066", Dormant, "dormant");
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static string Trigger(string id, bool dryRun = false) => $$"""
        {"schemaVersion":1,"campaignId":"{{id}}","name":"We miss you","audience":{"tiers":["dormant"]},"holdoutPercent":20,"holdoutKey":"winback",
         "dryRun":{{(dryRun ? "true" : "false")}},
         "coupons":[{"item":"winback-7d","value":20,"currency":"CNY","validDays":7}],
         "channels":[{"channel":"sms","template":"{% if language == 'zh' %}送您{{ "{{ coupon_value }}" }}元券 {{ "{{ coupon_code }}" }}，{{ "{{ coupon_expires_at }}" }}前有效{% else %}{{ "{{ coupon_code }}" }}{% endif %}"}]}
        """;

    private async Task<Dictionary<string, IReadOnlyList<Coupon>>> WalletsAsync()
    {
        var wallets = new Dictionary<string, IReadOnlyList<Coupon>>(StringComparer.Ordinal);
        foreach (var user in Enumerable.Range(0, Dormant).Select(i => $"cp{i:D3}"))
        {
            wallets[user] = await _engine.Get<WalletStore>().WalletAsync(user, TestEngine.Deadline());
        }

        return wallets;
    }

    [Fact]
    public async Task Coupons_IssuedToEveryRecipientNotHeldOut_AndEachMessageShowsItsOwnCode()
    {
        await TestEngine.RunCampaignAsync(_engine, Trigger("cp-1"));

        var wallets = await WalletsAsync();
        var heldOut = wallets.Keys.Where(u => CampaignPlanner.IsHeldOut("winback", u, 20)).ToHashSet();
        Assert.NotEmpty(heldOut);
        Assert.All(heldOut, u => Assert.Empty(wallets[u]));
        var reached = wallets.Where(w => !heldOut.Contains(w.Key)).ToList();
        Assert.All(reached, w => Assert.Equal("winback-7d", Assert.Single(w.Value).Item));
        Assert.All(reached, w => Assert.Equal(Now.AddDays(7), w.Value[0].ValidUntil));

        var sent = _sms.Sent.ToList();
        Assert.Equal(reached.Count, sent.Count);
        foreach (var message in sent)
        {
            var coupon = wallets[message.UserId][0];
            Assert.Contains($"送您20元券 {coupon.DisplayCode}，2026-12-08 12:00前有效", message.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DuplicateTriggerAndResume_IssueNoCouponTwice()
    {
        await TestEngine.RunCampaignAsync(_engine, Trigger("cp-2"));
        var first = await WalletsAsync();

        await TestEngine.RunCampaignAsync(_engine, Trigger("cp-2"));
        await _engine.Get<CampaignResume>().ResumeAsync("cp-2", TestEngine.Deadline());
        await TestEngine.DrainAsync(_engine, QueueNames.Deliveries);

        var after = await WalletsAsync();
        Assert.Equal(first.ToDictionary(w => w.Key, w => w.Value.Select(c => c.Code).ToList()), after.ToDictionary(w => w.Key, w => w.Value.Select(c => c.Code).ToList()));
        Assert.Equal(first.Values.Sum(w => w.Count), (await _engine.Get<WalletStore>().CountAsync("cp-2", TestEngine.Deadline())).Issued);
        Assert.Equal(_sms.Sent.Count, _sms.Sent.Select(m => m.UserId).Distinct().Count());
    }

    [Fact]
    public async Task DryRun_IssuesNoCoupon()
    {
        await TestEngine.RunCampaignAsync(_engine, Trigger("cp-3", dryRun: true));

        Assert.All(await WalletsAsync(), w => Assert.Empty(w.Value));
        Assert.Empty(_sms.Sent);
    }

    [Fact]
    public async Task Preview_ShowsAStandInCodeOfTheSameLength()
    {
        var trigger = _engine.Get<CampaignTriggerParser>().Parse(Trigger("cp-4"));

        var preview = await _engine.Get<CampaignPreview>().PreviewAsync(trigger, samplesPerOutcome: 1, TestEngine.Deadline());

        var text = Assert.Single(preview.Samples, s => s.Outcome == "send").Text;
        Assert.Contains("送您20元券 XXXX-XXXX-XXXX，2026-12-08 12:00前有效", text, StringComparison.Ordinal);
        Assert.All(await WalletsAsync(), w => Assert.Empty(w.Value)); // a preview issues nothing
    }
}
