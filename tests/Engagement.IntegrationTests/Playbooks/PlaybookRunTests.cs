using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Playbooks;
using Engagement.Users;
using Engagement.Wallet;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Playbooks;

/// <summary>
/// Playbook runs on Azurite with a stopped clock: the timer body twice, a catch-up and an operator's
/// run in one month make one campaign and one SMS per dormant user; the next month is a new run with
/// the same holdout; a disabled playbook sends nothing. SMS go to a recording sender.
/// </summary>
public sealed class PlaybookRunTests : IAsyncLifetime
{
    // 12:00 in Shanghai on 1 Dec, after the default occurrence (02:00 UTC = 10:00 Shanghai)
    private static readonly DateTimeOffset December = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);
    private const int Dormant = 40;
    private const int HighValue = 6;
    private readonly StoppedClock _clock = new(December);
    private readonly RecordingSender _sms = new(Channels.Sms);
    private LocalEngine _engine = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }
    }

    private async Task StartAsync(params (string Key, string? Value)[] settings)
    {
        _engine = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(_sms), settings: settings.ToDictionary(s => s.Key, s => s.Value));
        await Population.SeedSmsRecipientsAsync(_engine, "pd", "+861380011", Dormant, "dormant");
        await Population.SeedRecipientsAsync(_engine, Enumerable.Range(0, HighValue).Select(i => ($"ph{i:D3}", new UserProfile
        {
            Phone = "+861390011" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
            TimeZone = "Asia/Shanghai",
            ConsentSms = true,
            ConsentInApp = true,
            Source = "test",
        }, "high-value")));
    }

    private static IEnumerable<string> DormantIds => Enumerable.Range(0, Dormant).Select(i => $"pd{i:D3}");

    private static IEnumerable<string> HighValueIds => Enumerable.Range(0, HighValue).Select(i => $"ph{i:D3}");

    private PlaybookRuns Runs => _engine.Get<PlaybookRuns>();

    /// <summary>
    /// Handles the triggers, then every delivery chunk that is visible. A duplicate trigger handled while
    /// the first is still planning plans again (adding nothing) and enqueues its chunks again; a copy
    /// that meets rows another copy has claimed waits out the send lease on the queue, holding nothing
    /// to send, so the drain stops once only such waits are left.
    /// </summary>
    private async Task DrainAsync()
    {
        Assert.Equal(0, (await TestEngine.DrainAsync(_engine, QueueNames.CampaignTriggers)).DeadLettered);
        Assert.Equal(0, (await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1))).DeadLettered);
        Assert.Empty(await TestEngine.PeekPoisonAsync(_engine, QueueNames.CampaignTriggers));
    }

    private static PlaybookStart Of(IReadOnlyList<PlaybookStart> starts, string playbook) => starts.Single(s => s.Playbook == playbook);

    [Fact]
    public async Task Winback_TimerTwiceCatchUpAndAnOperator_OneCampaignAndOneSmsPerDormantUser_ThenJanuaryIsANewRunWithTheSameHoldout()
    {
        await StartAsync();

        var first = await Runs.StartDueAsync(TestEngine.Deadline());
        var second = await Runs.StartDueAsync(TestEngine.Deadline()); // a second instance, before the first trigger is handled
        Assert.Equal((PlaybookStartOutcomes.Started, "winback-2026-12"), (Of(first, "winback").Outcome, Of(first, "winback").RunId));
        Assert.Equal(PlaybookStartOutcomes.Started, Of(second, "winback").Outcome); // same text: a Duplicate at the campaigns table
        await DrainAsync();

        _clock.SetUtcNow(December.AddHours(30)); // a late IsPastDue catch-up and an operator, the next day
        Assert.Equal(PlaybookStartOutcomes.AlreadyStarted, Of(await Runs.StartDueAsync(TestEngine.Deadline()), "winback").Outcome);
        Assert.Equal(PlaybookStartOutcomes.AlreadyStarted, (await Runs.StartAsync("winback", null, TestEngine.Deadline())).Outcome);
        Assert.Equal(PlaybookStartOutcomes.AlreadyStarted, (await Runs.StartAsync("WinBack", "2026-12", TestEngine.Deadline())).Outcome);
        await DrainAsync();

        var heldOut = DormantIds.Where(u => CampaignPlanner.IsHeldOut("winback", u, 10)).ToHashSet();
        Assert.InRange(heldOut.Count, 1, Dormant - 1);
        var december = _sms.Sent.Where(m => m.CampaignId == "winback-2026-12").ToList();
        Assert.Equal(DormantIds.Except(heldOut).Order(StringComparer.Ordinal), december.Select(m => m.UserId).Order(StringComparer.Ordinal)); // each once
        Assert.All(december, m => Assert.True(m.Body.StartsWith("【Brand】好久不见", StringComparison.Ordinal) && m.Body.EndsWith("回T退订", StringComparison.Ordinal), m.Body));
        foreach (var user in DormantIds)
        {
            var coupons = (await _engine.Get<WalletStore>().WalletAsync(user, TestEngine.Deadline())).Where(c => c.IssueKey == "winback-2026-12").ToList();
            if (heldOut.Contains(user))
            {
                Assert.Empty(coupons);
                continue;
            }

            var coupon = Assert.Single(coupons); // one, whatever started the run how often
            Assert.Equal(("winback-7d", 20m, "CNY", TimeSpan.FromDays(7)), (coupon.Item, coupon.Value, coupon.Currency, coupon.ValidUntil - coupon.ValidFrom));
            Assert.Contains(coupon.DisplayCode, december.Single(m => m.UserId == user).Body, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(_sms.Sent, m => HighValueIds.Contains(m.UserId)); // the benefits pack is in-app only
        var ledger = await TestEngine.LedgerAsync(_engine, "winback-2026-12");
        Assert.Equal(heldOut.Order(StringComparer.Ordinal), ledger.Where(r => r.Channel == Channels.Sms && r.State == DeliveryStates.HeldOut).Select(r => r.UserId).Order(StringComparer.Ordinal));

        // January: a new run, the same users held out (hash of user and playbook, not of the run)
        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 2, 10, 0, TimeSpan.Zero));
        var jan = Of(await Runs.StartDueAsync(TestEngine.Deadline()), "winback");
        Assert.Equal((PlaybookStartOutcomes.Started, "winback-2027-01"), (jan.Outcome, jan.RunId));
        await DrainAsync();
        var january = await TestEngine.LedgerAsync(_engine, "winback-2027-01");
        Assert.Equal(heldOut.Order(StringComparer.Ordinal), january.Where(r => r.Channel == Channels.Sms && r.State == DeliveryStates.HeldOut).Select(r => r.UserId).Order(StringComparer.Ordinal));
        Assert.All(DormantIds.Except(heldOut), u => Assert.Equal(["winback-2026-12", "winback-2027-01"], _sms.Sent.Where(m => m.UserId == u).Select(m => m.CampaignId).Order(StringComparer.Ordinal)));

        var status = await Runs.StatusAsync("winback", 4, TestEngine.Deadline());
        Assert.Equal(["winback-2027-02", "winback-2027-01", "winback-2026-12", "winback-2026-11"], status.Select(s => s.RunId));
        Assert.Equal([false, true, true, false], status.Select(s => s.Campaign is not null));
        Assert.Equal(Dormant - heldOut.Count, status[2].Deliveries.Where(d => d.Key.Channel == Channels.Sms && d.Key.State == DeliveryStates.Accepted).Sum(d => d.Value));
        Assert.Equal((long)(Dormant - heldOut.Count), status[2].CouponsIssued);
    }

    [Fact]
    public async Task HighValue_StartedTwiceInAMonth_OnePackAndNoticePerUser_AndOneMoreNextMonth()
    {
        await StartAsync(("Playbooks:winback:Enabled", "false"));

        await Runs.StartAsync("highvalue", "2026-12", TestEngine.Deadline());
        await Runs.StartDueAsync(TestEngine.Deadline());
        await DrainAsync();
        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 3, 0, 0, TimeSpan.Zero));
        await Runs.StartDueAsync(TestEngine.Deadline());
        await Runs.StartAsync("highvalue", null, TestEngine.Deadline());
        await DrainAsync();

        foreach (var user in HighValueIds)
        {
            var inbox = await _engine.Get<Inbox>().ListAsync(user, includeExpired: true, TestEngine.Deadline());
            Assert.Equal(["highvalue-2026-12", "highvalue-2027-01"], inbox.Select(m => m.CampaignId).Order(StringComparer.Ordinal));
        }

        foreach (var user in HighValueIds)
        {
            // one pack a month: the three coupons of each month's run, none twice
            var wallet = await _engine.Get<WalletStore>().WalletAsync(user, TestEngine.Deadline());
            foreach (var run in new[] { "highvalue-2026-12", "highvalue-2027-01" })
            {
                Assert.Equal(["hv-discount", "hv-free-shipping", "hv-gift"], wallet.Where(c => c.IssueKey == run).Select(c => c.Item).Order(StringComparer.Ordinal));
            }

            Assert.Equal(6, wallet.Count);
            var notice = (await _engine.Get<Inbox>().ListAsync(user, includeExpired: true, TestEngine.Deadline())).First(m => m.CampaignId == "highvalue-2027-01");
            Assert.Contains("3张优惠券", notice.Body, StringComparison.Ordinal);
        }

        Assert.Equal((3L * HighValue, 0L), await _engine.Get<WalletStore>().CountAsync("highvalue-2027-01", TestEngine.Deadline()));
        Assert.Empty(_sms.Sent);
    }

    [Fact]
    public async Task DisabledPlaybook_TimerAndOperator_EnqueueAndSendNothing_AndSaySo()
    {
        await StartAsync(("Playbooks__winback__Enabled".Replace("__", ":", StringComparison.Ordinal), "false"), ("Playbooks:highvalue:Enabled", "false"), ("Playbooks:memberday:Enabled", "false"));

        var timer = await Runs.StartDueAsync(TestEngine.Deadline());
        var manual = await Runs.StartAsync("winback", "2026-12", TestEngine.Deadline());

        Assert.All(timer, s => Assert.Equal(PlaybookStartOutcomes.Disabled, s.Outcome));
        Assert.Equal(PlaybookStartOutcomes.Disabled, manual.Outcome);
        Assert.Contains("Playbooks:winback:Enabled=false", manual.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.CampaignTriggers));
        await DrainAsync();
        Assert.Null(await _engine.Get<CampaignStore>().GetAsync("winback-2026-12", TestEngine.Deadline()));
        Assert.Empty(_sms.Sent);
        Assert.Empty(await _engine.Get<WalletStore>().WalletAsync("pd000", TestEngine.Deadline()));
    }

    [Fact]
    public async Task CatchUp_AfterTheRunExpired_IsMissed_AndUnknownNamesAndPeriodsAreRefused()
    {
        await StartAsync();
        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 9, 4, 0, 0, TimeSpan.Zero)); // the app was down 1-9 Dec

        var starts = await Runs.StartDueAsync(TestEngine.Deadline());

        Assert.All(starts, s => Assert.Equal(PlaybookStartOutcomes.Missed, s.Outcome));
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.CampaignTriggers));
        Assert.Contains("highvalue, memberday, winback", (await Assert.ThrowsAsync<UnknownPlaybookException>(() => Runs.StartAsync("wakeup", null, TestEngine.Deadline()))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<FormatException>(() => Runs.StartAsync("winback", "2026-13", TestEngine.Deadline()));
    }

    [Fact]
    public async Task Preview_ShowsAudienceHoldoutOutcomesAndTheSmsBill_WithoutRecordingAnything()
    {
        await StartAsync(("Playbooks:SmsPricePerSegment", "0.05"));

        var preview = Assert.Single(await Runs.PreviewAsync("winback", "2026-12", 2, TestEngine.Deadline())); // no bands: one campaign

        var heldOut = DormantIds.Count(u => CampaignPlanner.IsHeldOut("winback", u, 10));
        Assert.Equal(heldOut, preview.Preview.Counts[(Channels.Sms, DeliveryStates.HeldOut, "holdout")]);
        Assert.Equal(Dormant - heldOut, preview.Bill.Messages);
        // every message priced at the longest text (samples, and the template in both languages with both opt-out lines)
        var longestSample = preview.Preview.Samples.Where(r => r.Channel == Channels.Sms && r.Text is not null).Max(r => SmsText.Measure(r.Text!).Segments);
        Assert.Equal(0, preview.Bill.Segments % preview.Bill.Messages);
        Assert.True(preview.Bill.Segments / preview.Bill.Messages >= longestSample);
        Assert.Equal(preview.Bill.Segments * 0.05m, preview.Bill.Total);
        Assert.Null(await _engine.Get<CampaignStore>().GetAsync("winback-2026-12", TestEngine.Deadline()));
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.CampaignTriggers));
        Assert.Equal((0L, 0L), await _engine.Get<WalletStore>().CountAsync("winback-2026-12", TestEngine.Deadline()));
    }
}
