using Engagement.IntegrationTests.Cli;
using Engagement.Wallet;

namespace Engagement.IntegrationTests.Wallet;

/// <summary>`engage wallet` and `engage coupon redeem` as an operator runs them (a child process on the real clock).</summary>
public sealed class WalletCliTests : CliAgainstEngine
{
    [Fact]
    public async Task WalletListsTheCoupon_RedeemExitsZeroOnce_ThenOneWithTheReason()
    {
        var now = TimeProvider.System.GetUtcNow();
        var shard = Engine.Get<UserShards>().Of("cli-1");
        var coupon = Assert.Single(await Engine.Get<WalletStore>().IssueAsync(
            shard, "run-cli", [("cli-1", new CouponGrant("coupon-10", 10m, "CNY", now.AddHours(-1), now.AddDays(30)))], TestEngine.Deadline()));

        var (listed, list) = await RunAsync("wallet", "cli-1");
        var (redeemed, first) = await RunAsync("coupon", "redeem", coupon.DisplayCode.ToLowerInvariant(), "--user", "cli-1");
        var (again, second) = await RunAsync("coupon", "redeem", coupon.Code, "--user", "cli-1");
        var (mistyped, typo) = await RunAsync("coupon", "redeem", "0" + coupon.Code[1..], "--user", "cli-1");

        Assert.Equal(0, listed);
        Assert.Contains(coupon.DisplayCode, list, StringComparison.Ordinal);
        Assert.Contains("issued", list, StringComparison.Ordinal);
        Assert.Equal(0, redeemed);
        Assert.Contains("Redeemed", first, StringComparison.Ordinal);
        Assert.Equal(1, again);
        Assert.Contains("already redeemed", second, StringComparison.Ordinal);
        Assert.Equal(1, mistyped);
        Assert.Contains("Mistyped", typo, StringComparison.Ordinal);
    }
}
