using Engagement.Wallet;

namespace Engagement.IntegrationTests.Wallet;

/// <summary>Redeeming: once only, refused with a reason when expired, foreign, mistyped or not yet valid.</summary>
public sealed class RedeemTests(WalletFixture wallet) : IClassFixture<WalletFixture>
{
    [Fact]
    public async Task Redeem_AsTyped_Succeeds_ThenIsAlreadyRedeemed()
    {
        var coupon = await wallet.IssueOneAsync("redeem-1", "run-redeem");

        var first = await wallet.Store.RedeemAsync("redeem-1", coupon.DisplayCode.ToLowerInvariant(), TestEngine.Deadline());
        var second = await wallet.Store.RedeemAsync("redeem-1", coupon.Code, TestEngine.Deadline());

        Assert.True(first.Redeemed, first.Message);
        Assert.Equal(wallet.Time.GetUtcNow(), first.Coupon!.RedeemedAt);
        Assert.Equal(RedeemRefusal.AlreadyRedeemed, second.Refusal);
        var held = Assert.Single(await wallet.Store.WalletAsync("redeem-1", TestEngine.Deadline()));
        Assert.Equal(CouponStates.Redeemed, held.State);
        Assert.Equal((1L, 1L), await wallet.Store.CountAsync("run-redeem", TestEngine.Deadline()));
    }

    /// <summary>Two instances redeem each coupon at once: the ETag lets exactly one through, the other is told it was redeemed.</summary>
    [Fact]
    public async Task TwoConcurrentRedeems_OfOneCoupon_GiveOneSuccess()
    {
        var users = wallet.UsersIn("s04", "race-", 30);
        var racesBefore = wallet.Races.Matched;
        var coupons = await wallet.Store.IssueAsync("s04", "run-race", [.. users.Select(u => (u, wallet.Grant()))], TestEngine.Deadline());
        var other = wallet.Second.Get<WalletStore>();

        foreach (var c in coupons)
        {
            var both = await Task.WhenAll(
                Task.Run(() => wallet.Store.RedeemAsync(c.UserId, c.Code, TestEngine.Deadline())),
                Task.Run(() => other.RedeemAsync(c.UserId, c.Code, TestEngine.Deadline())));

            Assert.Single(both, r => r.Redeemed);
            Assert.Single(both, r => r.Refusal == RedeemRefusal.AlreadyRedeemed);
        }

        Assert.Equal((30L, 30L), await wallet.Store.CountAsync("run-race", TestEngine.Deadline()));
        Assert.True(wallet.Races.Matched > racesBefore, "no redeem lost a race: the test did not exercise the ETag path");
    }

    [Fact]
    public async Task AnExpiredCoupon_IsRefused_AndBecomesExpired()
    {
        var coupon = await wallet.IssueOneAsync("expired-1", "run-expired", wallet.Grant(lasts: TimeSpan.FromHours(1)));
        Assert.Equal(CouponStates.Issued, Assert.Single(await wallet.Store.WalletAsync("expired-1", TestEngine.Deadline())).State);

        wallet.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(CouponStates.Expired, Assert.Single(await wallet.Store.WalletAsync("expired-1", TestEngine.Deadline())).State);
        var result = await wallet.Store.RedeemAsync("expired-1", coupon.Code, TestEngine.Deadline());

        Assert.Equal(RedeemRefusal.Expired, result.Refusal);
        Assert.Contains("expired", result.Message, StringComparison.Ordinal);
        var row = Assert.Single(await wallet.RowsAsync(wallet.ShardOf("expired-1"), "run-expired"), e => e.RowKey.StartsWith("c|", StringComparison.Ordinal));
        Assert.Equal(CouponStates.Expired, row.GetString("State"));
        Assert.All(await wallet.RowsAsync(wallet.ShardOf("expired-1"), "run-expired"), e => Assert.Equal(CouponStates.Expired, e.GetString("State")));
        Assert.Equal(RedeemRefusal.Expired, (await wallet.Store.RedeemAsync("expired-1", coupon.Code, TestEngine.Deadline())).Refusal);
    }

    [Fact]
    public async Task AnotherUsersCode_IsRefused_AsNotInWallet()
    {
        var coupon = await wallet.IssueOneAsync("owner-1", "run-foreign");

        var result = await wallet.Store.RedeemAsync("thief-1", coupon.Code, TestEngine.Deadline());
        var unknown = await wallet.Store.RedeemAsync("owner-1", CouponCodes.New(), TestEngine.Deadline());

        Assert.Equal(RedeemRefusal.NotInWallet, result.Refusal);
        Assert.Equal(RedeemRefusal.NotInWallet, unknown.Refusal);
        Assert.Equal(CouponStates.Issued, Assert.Single(await wallet.Store.WalletAsync("owner-1", TestEngine.Deadline())).State);
    }

    [Fact]
    public async Task AMistypedCode_IsRefused_WithoutAStorageRequest()
    {
        var coupon = await wallet.IssueOneAsync("typo-1", "run-typo");
        var typo = coupon.Code.ToCharArray();
        (typo[3], typo[4]) = typo[3] == typo[4] ? (typo[3], CouponCodes.Alphabet[(CouponCodes.Alphabet.IndexOf(typo[4], StringComparison.Ordinal) + 1) % 31]) : (typo[4], typo[3]);

        using var scope = StorageRequestCounter.BeginScope();
        var result = await wallet.Store.RedeemAsync("typo-1", new string(typo), TestEngine.Deadline());
        var lookAlike = await wallet.Store.RedeemAsync("typo-1", "0" + coupon.Code[1..], TestEngine.Deadline());

        Assert.Equal(RedeemRefusal.Mistyped, result.Refusal);
        Assert.Equal(RedeemRefusal.Mistyped, lookAlike.Refusal);
        Assert.Equal(0, scope.Count);
    }

    [Fact]
    public async Task BeforeItsStart_ACouponIsNotYetValid_ThenRedeems()
    {
        var coupon = await wallet.IssueOneAsync("later-1", "run-later", wallet.Grant(startsIn: TimeSpan.FromDays(1)));

        var early = await wallet.Store.RedeemAsync("later-1", coupon.Code, TestEngine.Deadline());
        wallet.Time.Advance(TimeSpan.FromDays(1));
        var onTime = await wallet.Store.RedeemAsync("later-1", coupon.Code, TestEngine.Deadline());

        Assert.Equal(RedeemRefusal.NotYetValid, early.Refusal);
        Assert.True(onTime.Redeemed, onTime.Message);
    }

    /// <summary>A process that died between the code row's update and the issue row's copy: the next attempt repairs the count.</summary>
    [Fact]
    public async Task AStateCopyLostToACrash_IsRepairedByTheNextAttempt()
    {
        var coupon = await wallet.IssueOneAsync("mirror-1", "run-mirror");
        Assert.True((await wallet.Store.RedeemAsync("mirror-1", coupon.Code, TestEngine.Deadline())).Redeemed);
        var issueRow = Assert.Single(await wallet.RowsAsync(wallet.ShardOf("mirror-1"), "run-mirror"), e => e.RowKey.StartsWith("i|", StringComparison.Ordinal));
        var table = await wallet.Engine.Get<StorageClients>().TableAsync(TableNames.Wallet);
        await table.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(issueRow.PartitionKey, issueRow.RowKey) { ["State"] = CouponStates.Issued }, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);
        Assert.Equal((1L, 0L), await wallet.Store.CountAsync("run-mirror", TestEngine.Deadline()));

        var again = await wallet.Store.RedeemAsync("mirror-1", coupon.Code, TestEngine.Deadline());

        Assert.Equal(RedeemRefusal.AlreadyRedeemed, again.Refusal);
        Assert.Equal((1L, 1L), await wallet.Store.CountAsync("run-mirror", TestEngine.Deadline()));
    }

    [Fact]
    public async Task Counts_AreIssuedAndRedeemed_PerIssueKey_AcrossShards()
    {
        var users = Enumerable.Range(0, 12).Select(i => $"count-{i}").ToList();
        foreach (var u in users)
        {
            await wallet.IssueOneAsync(u, "run-count");
        }

        var wallets = await Task.WhenAll(users.Take(5).Select(u => wallet.Store.WalletAsync(u, TestEngine.Deadline())));
        foreach (var c in wallets.Select(w => Assert.Single(w)))
        {
            Assert.True((await wallet.Store.RedeemAsync(c.UserId, c.Code, TestEngine.Deadline())).Redeemed);
        }

        Assert.Equal((12L, 5L), await wallet.Store.CountAsync("run-count", TestEngine.Deadline()));
        Assert.Equal((0L, 0L), await wallet.Store.CountAsync("run-none", TestEngine.Deadline()));
    }
}
