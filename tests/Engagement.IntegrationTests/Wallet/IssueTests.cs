using Engagement.Wallet;

namespace Engagement.IntegrationTests.Wallet;

/// <summary>Issuing: idempotent per (issue key, user, item), batched, and a resumed run issues nothing twice.</summary>
public sealed class IssueTests(WalletFixture wallet) : IClassFixture<WalletFixture>
{
    private const string Shard = "s01";

    [Fact]
    public async Task IssueTwice_ReturnsTheSameCodes_AndWritesNoExtraRows()
    {
        var users = wallet.UsersIn(Shard, "twice-", 30);
        var grants = users.Select(u => (u, wallet.Grant())).ToList();

        var first = await wallet.Store.IssueAsync(Shard, "run-twice", grants, TestEngine.Deadline());
        var second = await wallet.Store.IssueAsync(Shard, "run-twice", grants, TestEngine.Deadline());

        Assert.Equal(30, first.Select(c => c.Code).Distinct().Count());
        Assert.Equal(first.Select(c => (c.UserId, c.Code)), second.Select(c => (c.UserId, c.Code)));
        Assert.All(first, c => Assert.True(CouponCodes.IsWellFormed(c.Code)));
        Assert.Equal(60, (await wallet.RowsAsync(Shard, "run-twice")).Count); // an issue row and a code row per coupon
    }

    [Fact]
    public async Task ADifferentItemOrIssueKey_IsAnotherCoupon()
    {
        var user = wallet.UsersIn(Shard, "items-", 1)[0];

        var a = await wallet.IssueOneAsync(user, "run-items", wallet.Grant("coupon-10"));
        var b = await wallet.IssueOneAsync(user, "run-items", wallet.Grant("coupon-20"));
        var c = await wallet.IssueOneAsync(user, "run-items-2", wallet.Grant("coupon-10"));

        Assert.Equal(3, new[] { a.Code, b.Code, c.Code }.Distinct().Count());
        Assert.Equal(3, (await wallet.Store.WalletAsync(user, TestEngine.Deadline())).Count);
    }

    /// <summary>A run killed half-way left whole transactions behind (each is atomic); the resumed run sends them all again.</summary>
    [Fact]
    public async Task AResumedRun_WhereSomeAreIssued_KeepsTheirCodes_AndIssuesTheRestOnce()
    {
        var users = wallet.UsersIn(Shard, "resume-", 230);
        var grants = users.Select(u => (u, wallet.Grant())).ToList();
        // the killed run got through a few transactions, and one user's coupon was issued alone (out of order)
        var before = (await wallet.Store.IssueAsync(Shard, "run-resume", grants[..120], TestEngine.Deadline())).ToList();
        before.Add(await wallet.IssueOneAsync(users[200], "run-resume"));

        IReadOnlyList<Coupon> resumed;
        long requests;
        using (var scope = StorageRequestCounter.BeginScope())
        {
            resumed = await wallet.Store.IssueAsync(Shard, "run-resume", grants, TestEngine.Deadline());
            requests = scope.Count;
        }

        var byUser = resumed.ToDictionary(c => c.UserId, c => c.Code);
        Assert.All(before, c => Assert.Equal(c.Code, byUser[c.UserId]));
        Assert.Equal(230, byUser.Count);
        Assert.Equal(460, (await wallet.RowsAsync(Shard, "run-resume")).Count);
        Assert.Equal((230L, 0L), await wallet.Store.CountAsync("run-resume", TestEngine.Deadline()));
        // 5 transactions of 50; a refused one costs a range read and, when some were missing, a retry: 2+2+3+1+3
        Assert.Equal(11, requests);
    }

    /// <summary>A run cancelled (killed) while its transactions are in flight: whatever landed, the rerun gives each user one coupon.</summary>
    [Fact]
    public async Task ARunCancelledMidway_AndRerun_IssuesEachUserOneCoupon()
    {
        const string shard = "s05";
        var users = wallet.UsersIn(shard, "killed-", 600);
        var grants = users.Select(u => (u, wallet.Grant())).ToList();
        var counter = wallet.Engine.Get<StorageRequestCounter>();
        var start = counter.Total;
        using var kill = new CancellationTokenSource();

        var killed = wallet.Store.IssueAsync(shard, "run-killed", grants, kill.Token);
        await TestEngine.WaitUntilAsync(() => counter.Total >= start + 2 || killed.IsCompleted, "the first transactions");
        await kill.CancelAsync();
        try
        {
            await killed;
        }
        catch (OperationCanceledException)
        {
            // the usual outcome: some transactions landed, the rest never left
        }

        var landed = (await wallet.RowsAsync(shard, "run-killed")).Count;
        var rerun = await wallet.Store.IssueAsync(shard, "run-killed", grants, TestEngine.Deadline());

        Assert.True(landed < 1200, "the kill came after every transaction");
        Assert.Equal(600, rerun.Select(c => c.UserId).Distinct().Count());
        Assert.Equal(1200, (await wallet.RowsAsync(shard, "run-killed")).Count);
        Assert.Equal((600L, 0L), await wallet.Store.CountAsync("run-killed", TestEngine.Deadline()));
    }

    [Fact]
    public async Task ConcurrentIssuers_OfOneRun_AgreeOnOneCodePerUser()
    {
        var users = wallet.UsersIn(Shard, "both-", 120);
        var grants = users.Select(u => (u, wallet.Grant())).ToList();
        var other = wallet.Second.Get<WalletStore>();

        var results = await Task.WhenAll(
            wallet.Store.IssueAsync(Shard, "run-both", grants, TestEngine.Deadline()),
            other.IssueAsync(Shard, "run-both", grants, TestEngine.Deadline()));

        Assert.Equal(results[0].Select(c => c.Code), results[1].Select(c => c.Code));
        Assert.Equal(240, (await wallet.RowsAsync(Shard, "run-both")).Count);
    }

    /// <summary>The benchmark of the issue: no more than one batched write per recipient; here 1,000 coupons take 20 requests.</summary>
    [Fact]
    public async Task AThousandCoupons_InAShard_CostAtMostFiveHundredthsOfARequestEach()
    {
        const string shard = "s02";
        var users = wallet.UsersIn(shard, "bulk-", 1000);
        var grants = users.Select(u => (u, wallet.Grant())).ToList();

        using (var scope = StorageRequestCounter.BeginScope())
        {
            var issued = await wallet.Store.IssueAsync(shard, "run-bulk", grants, TestEngine.Deadline());
            Assert.Equal(1000, issued.Select(c => c.Code).Distinct().Count());
            Assert.True(scope.Count / 1000.0 <= 0.05, $"{scope.Count} requests for 1,000 coupons");
        }

        using (var again = StorageRequestCounter.BeginScope())
        {
            await wallet.Store.IssueAsync(shard, "run-bulk", grants, TestEngine.Deadline());
            Assert.True(again.Count / 1000.0 <= 0.05, $"{again.Count} requests to re-issue 1,000 coupons");
        }

        Assert.Equal(2000, (await wallet.RowsAsync(shard, "run-bulk")).Count);
    }

    /// <summary>Numbered ids make prefixes ("q1" sorts before "q10" and "q1" is within [q0, q10]): every chunk range is exact, one request each.</summary>
    [Fact]
    public async Task IssuedInRange_ReturnsExactlyAChunksCoupons_InOneRequest()
    {
        var users = wallet.UsersIn(Shard, "q", 150);
        await wallet.Store.IssueAsync(Shard, "run-range", [.. users.Select(u => (u, wallet.Grant()))], TestEngine.Deadline());
        await wallet.Store.IssueAsync(Shard, "run-range-other", [.. users.Select(u => (u, wallet.Grant()))], TestEngine.Deadline());
        var random = new Random(7);

        for (var n = 0; n < 25; n++)
        {
            var (a, b) = (users[random.Next(users.Count)], users[random.Next(users.Count)]);
            var (from, to) = string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);
            using var scope = StorageRequestCounter.BeginScope();
            var found = await wallet.Store.IssuedInRangeAsync(Shard, "run-range", from, to, TestEngine.Deadline());

            Assert.Equal(1, scope.Count);
            Assert.Equal(users.Where(u => string.CompareOrdinal(u, from) >= 0 && string.CompareOrdinal(u, to) <= 0), found.Keys.Order(StringComparer.Ordinal));
            Assert.All(found.Values, c => Assert.Equal("run-range", Assert.Single(c).IssueKey));
        }
    }

    /// <summary>User ids may hold '|' and spaces: one user's wallet never shows another's whose id starts the same way.</summary>
    [Fact]
    public async Task UserIdsWithBarsAndSpaces_KeepTheirWalletsApart()
    {
        var ids = new[] { "bar", "bar|x", "bar x", "bar|x|y" };
        foreach (var id in ids)
        {
            await wallet.IssueOneAsync(id, "run-bars");
        }

        foreach (var id in ids)
        {
            var held = Assert.Single(await wallet.Store.WalletAsync(id, TestEngine.Deadline()));
            Assert.Equal(id, held.UserId);
            Assert.True((await wallet.Store.RedeemAsync(id, held.Code, TestEngine.Deadline())).Redeemed);
        }
    }

    [Fact]
    public async Task AUserOfAnotherShard_IsRefused()
    {
        var user = wallet.UsersIn("s03", "foreign-shard-", 1)[0];

        await Assert.ThrowsAsync<ArgumentException>(() => wallet.Store.IssueAsync(Shard, "run-x", [(user, wallet.Grant())], TestEngine.Deadline()));
    }
}
