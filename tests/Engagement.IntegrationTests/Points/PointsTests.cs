using Engagement.Points;
using Engagement.Wallet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.IntegrationTests.Points;

/// <summary>One Azurite and two engines over it (two "instances", for races), sharing a fake clock.</summary>
public sealed class PointsFixture : IAsyncLifetime
{
    /// <summary>Counts moves that lost a race (412/409) and decided again, in either engine.</summary>
    public FaultingLoggerProvider Races { get; } = new("LogRace", times: 0);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 10, 4, 0, 0, TimeSpan.Zero)); // noon in Shanghai

    public LocalEngine Engine { get; private set; } = null!;

    public LocalEngine Second { get; private set; } = null!;

    public PointsStore Store => Engine.Get<PointsStore>();

    public async Task InitializeAsync()
    {
        void CountRaces(IServiceCollection s) => s.AddLogging(b => b.ClearProviders().AddProvider(Races));
        Engine = await TestEngine.StartAsync(Time, CountRaces, LogLevel.Debug);
        Second = await TestEngine.StartAsync(Time, CountRaces, LogLevel.Debug, existingStorage: Engine.Azurite!.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await Engine.DisposeAsync();
        Races.Dispose();
    }

    /// <summary>The ledger holds what the account says: balance == sum of entries == sum of open batches, never negative.</summary>
    public async Task<(PointsAccount Account, IReadOnlyList<PointsEntry> Entries)> AssertConsistentAsync(string userId)
    {
        var account = (await Store.AccountAsync(userId, TestEngine.Deadline()))!;
        var entries = await Store.EntriesAsync(userId, TestEngine.Deadline());
        Assert.True(account.Balance >= 0, $"balance {account.Balance}");
        Assert.Equal(entries.Sum(e => e.Delta), account.Balance);
        Assert.Equal(account.Batches.Sum(b => b.Remaining), account.Balance);
        return (account, entries);
    }
}

/// <summary>The points ledger on Azurite: once per source, no negative balance under races, expiries as entries, one coupon per redemption.</summary>
public sealed class PointsTests(PointsFixture points) : IClassFixture<PointsFixture>
{
    private static CancellationToken Ct => TestEngine.Deadline();

    [Fact]
    public async Task EarnTwice_WithTheSameSource_AwardsOnce()
    {
        var first = await points.Store.EarnAsync("earn-1", "activity-e1", 10, Ct);
        var second = await points.Second.Get<PointsStore>().EarnAsync("earn-1", "activity-e1", 10, Ct);
        var other = await points.Store.EarnAsync("earn-1", "activity-e2", 5, Ct);

        Assert.Equal(PointsOutcome.Applied, first.Outcome);
        Assert.Equal(PointsOutcome.AlreadyApplied, second.Outcome);
        Assert.Equal((first.Entry!.SourceKey, first.Entry.At, first.Entry.BalanceAfter), (second.Entry!.SourceKey, second.Entry.At, second.Entry.BalanceAfter));
        Assert.Equal(PointsOutcome.Applied, other.Outcome);
        var (account, entries) = await points.AssertConsistentAsync("earn-1");
        Assert.Equal((15L, 15L, 2), (account.Balance, account.Lifetime, entries.Count));
    }

    /// <summary>Two instances award the first points of 10 new users at once: one adds the account, the other loses (409), reads it and applies on top.</summary>
    [Fact]
    public async Task ConcurrentFirstEarns_OnANewAccount_BothApply()
    {
        var other = points.Second.Get<PointsStore>();
        for (var u = 0; u < 10; u++)
        {
            var user = $"new-{u}";
            var both = await Task.WhenAll(
                Task.Run(() => points.Store.EarnAsync(user, "x", 3, Ct)),
                Task.Run(() => other.EarnAsync(user, "y", 4, Ct)));

            Assert.All(both, r => Assert.Equal(PointsOutcome.Applied, r.Outcome));
            var (account, entries) = await points.AssertConsistentAsync(user);
            Assert.Equal((7L, 7L, 2), (account.Balance, account.Lifetime, entries.Count));
        }
    }

    [Fact]
    public async Task EarnFor_AnActivityEvent_AwardsTheConfiguredPointsOnce_PerEventId()
    {
        var purchase = new Engagement.Activity.ActivityEvent("ev-1", "act-1", Engagement.Activity.ActivityType.Purchase, 1999, null, points.Time.GetUtcNow());

        var first = await points.Store.EarnForAsync(purchase, Ct);
        var replay = await points.Store.EarnForAsync(purchase, Ct);

        Assert.Equal((PointsOutcome.Applied, 10L, "activity-ev-1"), (first!.Outcome, first.Entry!.Points, first.Entry.SourceKey));
        Assert.Equal(PointsOutcome.AlreadyApplied, replay!.Outcome);
        Assert.Equal(10, (await points.AssertConsistentAsync("act-1")).Account.Balance);
    }

    /// <summary>
    /// Two instances redeem the last 100 points at once, for 20 users: exactly one of each pair succeeds and the balance ends
    /// at 0. With <paramref name="warmCopies"/> both instances hold the account (same ETag) when they redeem: one
    /// transaction wins, the other's If-Match fails.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TwoConcurrentRedemptions_OfTheLastPoints_GiveOneSuccess_AndBalanceZero(bool warmCopies)
    {
        var racesBefore = points.Races.Matched;
        var other = points.Second.Get<PointsStore>();
        for (var u = 0; u < 20; u++)
        {
            var user = $"race-{(warmCopies ? "warm" : "cold")}-{u}";
            await points.Store.EarnAsync(user, "seed", 100, Ct); // coupon-5 costs 100
            if (warmCopies)
            {
                await other.AccountAsync(user, Ct);
            }

            var both = await Task.WhenAll(
                Task.Run(() => points.Store.RedeemAsync(user, "coupon-5", "a", Ct)),
                Task.Run(() => other.RedeemAsync(user, "coupon-5", "b", Ct)));

            Assert.Single(both, r => r.Redeemed);
            Assert.Single(both, r => r.Spend.Outcome == PointsOutcome.Refused);
            var (account, entries) = await points.AssertConsistentAsync(user);
            Assert.Equal(0, account.Balance);
            Assert.Single(entries, e => e.Kind == PointsKinds.Spend);
            Assert.Single(await points.Engine.Get<WalletStore>().WalletAsync(user, Ct));
        }

        Assert.True(points.Races.Matched > racesBefore, "no move lost a race: the test did not exercise the ETag path");
    }

    [Fact]
    public async Task Redeem_RepeatedWithTheSameRequestId_PutsOneCouponInTheWallet_AndSpendsOnce()
    {
        await points.Store.EarnAsync("redeem-1", "seed", 250, Ct);

        var first = await points.Store.RedeemAsync("redeem-1", "coupon-5", "req-1", Ct);
        var again = await points.Second.Get<PointsStore>().RedeemAsync("redeem-1", "coupon-5", "req-1", Ct);

        Assert.True(first.Redeemed, first.Spend.Refusal);
        Assert.Equal(PointsOutcome.AlreadyApplied, again.Spend.Outcome);
        Assert.Equal(first.Coupon!.Code, again.Coupon!.Code);
        var coupon = Assert.Single(await points.Engine.Get<WalletStore>().WalletAsync("redeem-1", Ct));
        Assert.Equal(("coupon-5", 5m, "CNY", "redeem-coupon-5-req-1"), (coupon.Item, coupon.Value, coupon.Currency, coupon.IssueKey));
        Assert.Equal(points.Time.GetUtcNow().AddDays(30), coupon.ValidUntil);
        var (account, _) = await points.AssertConsistentAsync("redeem-1");
        Assert.Equal(150, account.Balance);
    }

    /// <summary>A crash after the spend, before the coupon: running the same redemption again issues it, spending nothing more (the balance is short by then).</summary>
    [Fact]
    public async Task Redeem_AfterACrashBetweenSpendAndIssue_IsRepairedByTheSameRequest()
    {
        await points.Store.EarnAsync("crash-1", "seed", 100, Ct);
        await points.Store.SpendAsync("crash-1", "redeem-coupon-5-req-9", 100, Ct); // what RedeemAsync did before the crash
        Assert.Empty(await points.Engine.Get<WalletStore>().WalletAsync("crash-1", Ct));

        var repaired = await points.Store.RedeemAsync("crash-1", "coupon-5", "req-9", Ct);

        Assert.True(repaired.Redeemed);
        Assert.Equal(PointsOutcome.AlreadyApplied, repaired.Spend.Outcome);
        Assert.Single(await points.Engine.Get<WalletStore>().WalletAsync("crash-1", Ct));
        Assert.Equal(0, (await points.AssertConsistentAsync("crash-1")).Account.Balance);
    }

    [Fact]
    public async Task Redeem_AnUnknownItem_OrWithoutEnoughPoints_IsRefused()
    {
        await points.Store.EarnAsync("short-1", "seed", 99, Ct);

        var unknown = await points.Store.RedeemAsync("short-1", "yacht", "r1", Ct);
        var shortOf = await points.Store.RedeemAsync("short-1", "coupon-5", "r2", Ct);

        Assert.Contains("not in the catalogue", unknown.Spend.Refusal, StringComparison.Ordinal);
        Assert.Contains("needs 100 points, the balance is 99", shortOf.Spend.Refusal, StringComparison.Ordinal);
        Assert.Empty(await points.Engine.Get<WalletStore>().WalletAsync("short-1", Ct));
    }
}
