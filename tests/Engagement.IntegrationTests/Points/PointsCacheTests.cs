using Engagement.Points;
using Engagement.Wallet;

namespace Engagement.IntegrationTests.Points;

/// <summary>
/// Each instance's copy of the account (<see cref="PointsAccountCache"/>): a warm move skips the read, and copies gone
/// stale under the other instance's moves never cost the ledger its invariants.
/// </summary>
public sealed class PointsCacheTests(PointsFixture points) : IClassFixture<PointsFixture>
{
    private static CancellationToken Ct => TestEngine.Deadline();

    private PointsStore Other => points.Second.Get<PointsStore>();

    private static async Task<long> RequestsAsync(Func<Task> move)
    {
        using var scope = StorageRequestCounter.BeginScope();
        await move();
        return scope.Count;
    }

    [Fact]
    public async Task AWarmEarn_CostsOneRequest_AColdEarnTwo()
    {
        await points.Store.EarnAsync("cost-warmup", "x", 1, Ct); // each engine has its table client
        await Other.AccountAsync("cost-warmup", Ct);

        var coldNew = await RequestsAsync(() => points.Store.EarnAsync("cost-1", "a", 5, Ct));
        var warm = await RequestsAsync(() => points.Store.EarnAsync("cost-1", "b", 5, Ct));
        var warmMany = await RequestsAsync(() => points.Store.EarnManyAsync("cost-1", [("c", 1), ("d", 2)], Ct));
        var coldExisting = await RequestsAsync(() => Other.EarnAsync("cost-1", "e", 3, Ct));
        var warmAgain = await RequestsAsync(() => Other.EarnAsync("cost-1", "f", 3, Ct));

        Assert.Equal((2L, 1L, 1L, 2L, 1L), (coldNew, warm, warmMany, coldExisting, warmAgain));
        Assert.Equal(19, (await points.AssertConsistentAsync("cost-1")).Account.Balance);
    }

    /// <summary>The instances take turns on one user, so each starts from a copy the other made stale; replays go to the instance that did not write them.</summary>
    [Fact]
    public async Task TwoInstances_Interleaving_FromStaleCopies_KeepEveryBalanceTheSumOfItsEntries()
    {
        const string user = "stale-1";
        var racesBefore = points.Races.Matched;
        var stores = new[] { points.Store, Other };
        var expected = 0L;
        for (var i = 0; i < 30; i++)
        {
            var store = stores[i % 2];
            var earned = await store.EarnAsync(user, $"e{i}", 10 + i, Ct);
            Assert.Equal(PointsOutcome.Applied, earned.Outcome);
            expected += 10 + i;

            var enough = expected >= 25;
            var spent = await stores[(i + 1) % 2].SpendAsync(user, $"s{i}", 25, Ct);
            Assert.Equal(enough ? PointsOutcome.Applied : PointsOutcome.Refused, spent.Outcome);
            expected -= enough ? 25 : 0;

            var replayed = await stores[(i + 1) % 2].EarnAsync(user, $"e{i}", 10 + i, Ct);
            Assert.Equal(PointsOutcome.AlreadyApplied, replayed.Outcome);
            Assert.Equal(expected, replayed.Account.Balance);
            var many = await store.EarnManyAsync(user, [($"e{i}", 10 + i), ($"m{i}", 1)], Ct);
            expected += 1;

            var (account, entries) = await points.AssertConsistentAsync(user);
            Assert.Equal(expected, account.Balance);
            Assert.Equal(expected, many.Balance);
            Assert.All(entries.GroupBy(e => (e.Kind, e.SourceKey)), g => Assert.Single(g));
        }

        Assert.True(points.Races.Matched > racesBefore, "no move started from a stale copy");
    }

    /// <summary>The first instance's copy says 10 points; the other instance earned 100 since: a spend of 50 is applied, not refused.</summary>
    [Fact]
    public async Task ASpend_AStaleCopyWouldRefuse_IsDecidedOnTheStoredAccount()
    {
        await points.Store.EarnAsync("short-copy", "seed", 10, Ct);
        await Other.EarnAsync("short-copy", "more", 100, Ct);

        var spent = await points.Store.SpendAsync("short-copy", "s1", 50, Ct);
        var refused = await points.Store.SpendAsync("short-copy", "s2", 70, Ct);

        Assert.Equal(PointsOutcome.Applied, spent.Outcome);
        Assert.Equal((PointsOutcome.Refused, "needs 70 points, the balance is 60"), (refused.Outcome, refused.Refusal));
        Assert.Equal(60, (await points.AssertConsistentAsync("short-copy")).Account.Balance);
    }

    [Fact]
    public async Task AReplayedSource_WithAWarmCopy_AwardsNothingTwice_AndAnswersTheStoredAccount()
    {
        var first = await points.Store.EarnAsync("replay-1", "a", 10, Ct);
        var again = await points.Store.EarnAsync("replay-1", "a", 10, Ct);
        var many = await points.Store.EarnManyAsync("replay-1", [("a", 10), ("b", 5)], Ct);
        await Other.EarnAsync("replay-1", "c", 7, Ct); // the first copy is stale now
        var stale = await points.Store.EarnAsync("replay-1", "b", 5, Ct);
        var staleMany = await points.Store.EarnManyAsync("replay-1", [("a", 10), ("c", 7)], Ct);

        Assert.Equal((PointsOutcome.Applied, PointsOutcome.AlreadyApplied, PointsOutcome.AlreadyApplied), (first.Outcome, again.Outcome, stale.Outcome));
        Assert.Equal((10L, 15L, 22L, 22L), (again.Account.Balance, many.Balance, stale.Account.Balance, staleMany.Balance));
        var (account, entries) = await points.AssertConsistentAsync("replay-1");
        Assert.Equal((22L, 3), (account.Balance, entries.Count));
    }

    [Fact]
    public async Task MoreUsersThanTheBound_KeepTheCopiesWithinIt()
    {
        await using var bounded = await TestEngine.StartAsync(
            points.Time, existingStorage: points.Engine.Azurite!.ConnectionString, settings: new Dictionary<string, string?> { ["Points:CachedAccounts"] = "8" });
        var store = bounded.Get<PointsStore>();
        var counts = new List<int>();
        for (var u = 0; u < 30; u++)
        {
            await store.EarnAsync($"bound-{u}", "a", 1, Ct);
            counts.Add(store.CachedAccounts);
            await store.AccountAsync($"bound-{(u * 7) % 30}", Ct);
            counts.Add(store.CachedAccounts);
        }

        Assert.All(counts, c => Assert.InRange(c, 1, 8));
        Assert.Contains(8, counts); // filled to the bound, then half dropped
        Assert.Contains(4, counts);
    }
}
