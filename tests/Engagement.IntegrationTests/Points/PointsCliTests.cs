using Engagement.IntegrationTests.Cli;
using Engagement.Points;
using Engagement.Wallet;

namespace Engagement.IntegrationTests.Points;

/// <summary>`engage points` and `engage points redeem` as an operator runs them (a child process on the real clock).</summary>
public sealed class PointsCliTests : CliAgainstEngine
{
    [Fact]
    public async Task PointsShowsTheAccount_RedeemExitsZero_OnceForARequestId_ThenOneWhenShort()
    {
        await Engine.Get<PointsStore>().EarnAsync("cli-p", "activity-e1", 150, TestEngine.Deadline());

        var (shown, show) = await RunAsync("points", "cli-p");
        var (redeemed, first) = await RunAsync("points", "redeem", "cli-p", "coupon-5", "--request-id", "r1");
        var (again, second) = await RunAsync("points", "redeem", "cli-p", "coupon-5", "--request-id", "r1");
        var (refused, third) = await RunAsync("points", "redeem", "cli-p", "coupon-5");
        var (_, after) = await RunAsync("points", "cli-p");

        Assert.Equal(0, shown);
        Assert.Contains("balance 150, level 2, lifetime 150", show, StringComparison.Ordinal);
        Assert.Contains("activity-e1", show, StringComparison.Ordinal);
        Assert.Equal(0, redeemed);
        Assert.Contains("Redeemed", first, StringComparison.Ordinal);
        Assert.Equal(0, again);
        Assert.Contains("already redeemed with this request id", second, StringComparison.Ordinal);
        Assert.Equal(1, refused);
        Assert.Contains("needs 100 points, the balance is 50", third, StringComparison.Ordinal);
        Assert.Contains("redeem-coupon-5-r1", after, StringComparison.Ordinal);
        Assert.Single(await Engine.Get<WalletStore>().WalletAsync("cli-p", TestEngine.Deadline()));
    }
}
