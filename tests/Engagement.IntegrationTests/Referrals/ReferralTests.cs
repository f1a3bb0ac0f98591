using Engagement.Delivery;
using Engagement.Referrals;
using Engagement.Users;
using Engagement.Wallet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Engagement.IntegrationTests.Infrastructure.ActivityJson;

namespace Engagement.IntegrationTests.Referrals;

/// <summary>
/// Referrals on Azurite with a stopped clock, through the queues as the Functions host would run them: friends
/// linked by <c>referral</c> events, counted when active, the referrer rewarded once (one coupon, one in-app notice)
/// whatever is replayed or crashes; bad referrals refused or recorded on the errors table.
/// </summary>
public sealed class ReferralTests : IAsyncLifetime
{
    private static readonly DateOnly Dec1 = new(2026, 12, 1);
    private static readonly DateOnly Dec2 = new(2026, 12, 2);

    // 12:00 in Shanghai on 10 Dec: every event below is in the past, the in-app notice outside quiet hours
    private readonly StoppedClock _clock = new(new DateTimeOffset(2026, 12, 10, 4, 0, 0, TimeSpan.Zero));
    private readonly List<string> _sent = [];
    private LocalEngine _engine = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }
    }

    private async Task StartAsync(FaultingLoggerProvider? faults = null) =>
        _engine = faults is null
            ? await TestEngine.StartAsync(_clock)
            : await TestEngine.StartAsync(_clock, s => s.AddLogging(b => b.ClearProviders().AddProvider(faults)), LogLevel.Debug);

    private static Dictionary<string, object?> Referral(string eventId, string invitee, string referrer, DateTimeOffset at)
    {
        var e = Event(eventId, invitee, "referral", null, null, at);
        e["referrer"] = referrer;
        return e;
    }

    /// <summary>Sends activity messages and works every queue they lead to until all are empty; nothing may be dead-lettered.</summary>
    private async Task IngestAsync(params string[] bodies)
    {
        foreach (var body in bodies)
        {
            _sent.Add(body);
            await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, body);
        }

        await DrainAsync();
    }

    private async Task DrainAsync()
    {
        Assert.Equal(0, (await TestEngine.DrainAsync(_engine, QueueNames.ActivityEvents)).DeadLettered);
        Assert.Equal(0, (await TestEngine.DrainAsync(_engine, QueueNames.CampaignTriggers)).DeadLettered);
        Assert.Equal(0, (await TestEngine.DrainAsync(_engine, QueueNames.Deliveries)).DeadLettered);
    }

    /// <summary>A referrer and its invited friends, all signed up on 1 Dec (the referrer logs in first, so it is a known user).</summary>
    private async Task SignUpAsync(string referrer, params string[] friends)
    {
        await IngestAsync(One(Login($"{referrer}-l0", referrer, At(Dec1, 9))));
        await IngestAsync(Many([.. friends.Select(f => Referral($"{f}-signup", f, referrer, At(Dec1, 10)))]));
    }

    /// <summary>A friend comes back on 2 Dec: a second active day, so active by the default rule.</summary>
    private static string ComesBack(string friend) => One(Login($"{friend}-l1", friend, At(Dec2, 11)));

    private async Task<List<Coupon>> RewardCouponsAsync(string user) =>
        [.. (await _engine.Get<WalletStore>().WalletAsync(user, TestEngine.Deadline())).Where(c => c.IssueKey.StartsWith(ReferralTrigger.CampaignPrefix, StringComparison.Ordinal))];

    private async Task<List<InboxMessage>> NoticesAsync(string user) =>
        [.. (await _engine.Get<Inbox>().ListAsync(user, includeExpired: true, TestEngine.Deadline())).Where(m => m.CampaignId.StartsWith(ReferralTrigger.CampaignPrefix, StringComparison.Ordinal))];

    private ReferralStore Store => _engine.Get<ReferralStore>();

    [Fact]
    public async Task ThirdActiveFriend_RewardsTheReferrerOnce_TheFourthAndEveryReplayAddNothing()
    {
        await StartAsync();
        await SignUpAsync("ref-a", "fa1", "fa2", "fa3", "fa4");
        Assert.Equal(4, (await Store.FriendsAsync("ref-a", TestEngine.Deadline())).Count);
        Assert.Equal("ref-a", (await Store.LinkOfAsync("fa1", TestEngine.Deadline()))?.Referrer);
        Assert.Equal("ref-a", Assert.Single(await TestEngine.QueryAsync(_engine, TableNames.Users, "RowKey eq 'fa1'")).GetString(UserEntity.ReferredBy));

        await IngestAsync(ComesBack("fa1"), ComesBack("fa2"));
        Assert.Empty(await RewardCouponsAsync("ref-a")); // two active friends: not yet
        Assert.Null(await Store.RewardOfAsync("ref-a", TestEngine.Deadline()));

        await IngestAsync(ComesBack("fa3"));
        var coupon = Assert.Single(await RewardCouponsAsync("ref-a"));
        Assert.Equal((ReferralTrigger.CampaignId("ref-a"), "referral-50", 50m, "CNY", TimeSpan.FromDays(30)), (coupon.IssueKey, coupon.Item, coupon.Value, coupon.Currency, coupon.ValidUntil - coupon.ValidFrom));
        var notice = Assert.Single(await NoticesAsync("ref-a"));
        Assert.StartsWith("谢谢你把我们介绍给朋友！你邀请的 3 位好友", notice.Body, StringComparison.Ordinal); // the ops zone is Chinese
        Assert.Contains(coupon.DisplayCode, notice.Body, StringComparison.Ordinal);
        var reward = await Store.RewardOfAsync("ref-a", TestEngine.Deadline());
        Assert.Equal(("fa3", true), (reward?.CompletedBy, reward?.Enqueued));

        await IngestAsync(ComesBack("fa4"));
        var friends = await Store.FriendsAsync("ref-a", TestEngine.Deadline());
        Assert.All(friends, f => Assert.Equal(Dec2, f.ActiveOn));
        Assert.Equal(4, friends.Count);

        // every message again, twice: the same coupon and notice, nothing more
        foreach (var body in _sent.ToList().Concat(_sent.ToList()))
        {
            await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, body);
        }

        await DrainAsync();
        Assert.Equal(coupon.Code, Assert.Single(await RewardCouponsAsync("ref-a")).Code);
        Assert.Single(await NoticesAsync("ref-a"));
        foreach (var friend in new[] { "fa1", "fa2", "fa3", "fa4" })
        {
            Assert.Empty(await RewardCouponsAsync(friend));
        }

        Assert.Empty(await TestEngine.ErrorRowsAsync(_engine, ReferralFollowUp.ErrorSource));
    }

    [Fact]
    public async Task SelfReferral_IsDeadLetteredWithItsReason_AndLinksNothing()
    {
        await StartAsync();
        var body = One(Referral("self-1", "narcissus", "narcissus", At(Dec1)));
        await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, body);

        Assert.Equal(1, (await TestEngine.DrainAsync(_engine, QueueNames.ActivityEvents)).DeadLettered);
        await TestEngine.AssertDeadLetteredAsync(_engine, QueueNames.ActivityEvents, body, "self-referral: referrer 'narcissus' is the userId");
        Assert.Null(await Store.LinkOfAsync("narcissus", TestEngine.Deadline()));
        Assert.Null(await _engine.Get<UserStore>().GetAsync("narcissus", TestEngine.Deadline())); // the whole message was refused
    }

    [Fact]
    public async Task ASecondReferrer_IsRecordedOnTheErrorsTable_AndTheFirstStaysLinked()
    {
        await StartAsync();
        await SignUpAsync("ref-b1", "fb");
        await IngestAsync(One(Login("ref-b2-l0", "ref-b2", At(Dec1, 9))), One(Referral("fb-signup-2", "fb", "ref-b2", At(Dec1, 12))));

        Assert.Equal("ref-b1", (await Store.LinkOfAsync("fb", TestEngine.Deadline()))?.Referrer);
        Assert.Empty(await Store.FriendsAsync("ref-b2", TestEngine.Deadline()));
        var error = Assert.Single(await TestEngine.ErrorRowsAsync(_engine, ReferralFollowUp.ErrorSource));
        Assert.Contains("user 'fb' was referred by 'ref-b1' first; referrer 'ref-b2' is not linked", error.GetString("Error"), StringComparison.Ordinal);
        Assert.Contains("\"referrer\":\"ref-b2\"", error.GetString("Message"), StringComparison.Ordinal);

        // the first referrer's referral again is a repeat: no error
        await IngestAsync(One(Referral("fb-signup", "fb", "ref-b1", At(Dec1, 10))));
        Assert.Single(await TestEngine.ErrorRowsAsync(_engine, ReferralFollowUp.ErrorSource));
    }

    [Fact]
    public async Task AnUnknownReferrer_IsRecordedOnTheErrorsTable_AndNothingIsLinked()
    {
        await StartAsync();
        await IngestAsync(One(Referral("fg-signup", "fg", "ghost", At(Dec1))), ComesBack("fg"));

        var error = Assert.Single(await TestEngine.ErrorRowsAsync(_engine, ReferralFollowUp.ErrorSource));
        Assert.Contains("user 'fg' names referrer 'ghost', who is not a known user; not linked", error.GetString("Error"), StringComparison.Ordinal);
        Assert.Null(await Store.LinkOfAsync("fg", TestEngine.Deadline()));
        Assert.Empty(await Store.FriendsAsync("ghost", TestEngine.Deadline()));
        var invitee = Assert.Single(await TestEngine.QueryAsync(_engine, TableNames.Users, "RowKey eq 'fg'"));
        Assert.Null(invitee.GetString(UserEntity.ReferredBy));
        Assert.Equal(2, UserEntity.ReadActivity(invitee).ActiveDaysIn(Dec2.DayNumber, 7)); // the invitee's own activity still counts
    }

    [Fact]
    public async Task ACrashAfterTheRewardIsRecorded_BeforeItIsEnqueued_ResumesToExactlyOneReward()
    {
        var faults = new FaultingLoggerProvider("LogRewardRecorded");
        await StartAsync(faults);
        await SignUpAsync("ref-c", "fc1", "fc2", "fc3");
        await IngestAsync(ComesBack("fc1"), ComesBack("fc2"));

        await IngestAsync(ComesBack("fc3")); // crashes once, then the redelivery finishes it

        Assert.Equal(1, faults.Thrown);
        Assert.Single(await RewardCouponsAsync("ref-c"));
        Assert.Single(await NoticesAsync("ref-c"));
        Assert.True((await Store.RewardOfAsync("ref-c", TestEngine.Deadline()))?.Enqueued);
        var invitee = Assert.Single(await TestEngine.QueryAsync(_engine, TableNames.Users, "RowKey eq 'fc3'"));
        Assert.NotNull(invitee.GetDateTimeOffset(UserEntity.ReferralCountedAt));
    }
}
