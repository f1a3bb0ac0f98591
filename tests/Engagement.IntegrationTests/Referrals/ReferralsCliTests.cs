using Engagement.IntegrationTests.Cli;
using Engagement.Referrals;

namespace Engagement.IntegrationTests.Referrals;

/// <summary>`engage referrals` as an operator runs it (a child process on the real clock).</summary>
public sealed class ReferralsCliTests : CliAgainstEngine
{
    [Fact]
    public async Task Referrals_ShowsTheReferrerTheFriendsAndTheReward()
    {
        var store = Engine.Get<ReferralStore>();
        var at = new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero); // 10:00 in Shanghai
        await store.LinkAsync(new ReferralLink("cli-f1", "cli-r", at, "e1"), TestEngine.Deadline());
        await store.AddFriendAsync("cli-r", "cli-f1", at, TestEngine.Deadline());
        await store.AddFriendAsync("cli-r", "cli-f2", at, TestEngine.Deadline());
        await store.MarkActiveAsync("cli-r", "cli-f1", new DateOnly(2026, 12, 3), TestEngine.Deadline());

        var (code, referrer) = await RunAsync("referrals", "cli-r");
        var (_, friend) = await RunAsync("referrals", "cli-f1");

        Assert.Equal(0, code);
        Assert.Contains("cli-r was referred by nobody.", referrer, StringComparison.Ordinal);
        Assert.Contains("(1 of 2 active)", referrer, StringComparison.Ordinal);
        Assert.Contains("2026-12-03", referrer, StringComparison.Ordinal);
        Assert.Contains("not yet", referrer, StringComparison.Ordinal);
        Assert.Contains("Reward: not yet.", referrer, StringComparison.Ordinal);
        Assert.Contains("cli-f1 was referred by cli-r on 2026-12-01 10:00.", friend, StringComparison.Ordinal);
    }
}
