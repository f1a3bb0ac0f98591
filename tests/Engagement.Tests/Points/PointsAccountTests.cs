using Engagement.Activity;
using Engagement.Points;

namespace Engagement.Tests.Points;

/// <summary>The pure ledger: hand-computed levels, spends drawing soonest expiry first, expiries as entries.</summary>
public sealed class PointsAccountTests
{
    internal static readonly ActivityCalendar Shanghai = new(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));

    internal static readonly PointsRules Rules = new(Shanghai, 12, PointsOptions.DefaultThresholds);

    /// <summary>Noon in Shanghai on a date.</summary>
    internal static DateTimeOffset Noon(int year, int month, int day) => new(year, month, day, 12, 0, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData(0, 1)]
    [InlineData(99, 1)]
    [InlineData(100, 2)]
    [InlineData(299, 2)]
    [InlineData(300, 3)]
    [InlineData(700, 4)]
    [InlineData(1499, 4)]
    [InlineData(1500, 5)]
    [InlineData(3000, 6)]
    [InlineData(6000, 7)]
    [InlineData(11999, 7)]
    [InlineData(12000, 8)]
    [InlineData(1_000_000, 8)]
    public void LevelFor_LifetimePoints_CountsTheThresholdsReached(long lifetime, int level) =>
        Assert.Equal(level, Rules.LevelFor(lifetime));

    [Fact]
    public void Earn_RaisesLifetimeAndLevel_SpendingNeverLowersThem()
    {
        var (earned, entries) = PointsAccount.Empty.Earn(Rules, "a1", 320, Noon(2026, 1, 10));
        var (spent, _) = earned.Spend(Rules, "r1", 300, Noon(2026, 1, 11));

        Assert.Equal((320L, 320L, 3), (earned.Balance, earned.Lifetime, earned.Level));
        Assert.Equal((20L, 320L, 3), (spent.Balance, spent.Lifetime, spent.Level));
        var entry = Assert.Single(entries);
        Assert.Equal((PointsKinds.Earn, "a1", 320L, new DateOnly(2026, 1, 10)), (entry.Kind, entry.SourceKey, entry.Points, entry.Batch));
    }

    [Fact]
    public void Earn_WithThresholdsRaisedLater_KeepsTheLevelReached()
    {
        var (account, _) = PointsAccount.Empty.Earn(Rules, "a1", 700, Noon(2026, 1, 10)); // level 4
        var stricter = Rules with { LevelThresholds = [1000, 2000, 3000, 4000, 5000, 6000, 7000] };

        var (after, _) = account.Earn(stricter, "a2", 1, Noon(2026, 1, 11));

        Assert.Equal(4, after.Level);
    }

    [Fact]
    public void Earn_TwiceOnOneLocalDay_FillsOneBatch_ValidThroughTheSameDayAYearLater()
    {
        var (first, _) = PointsAccount.Empty.Earn(Rules, "a1", 5, new DateTimeOffset(2026, 1, 10, 0, 30, 0, TimeSpan.FromHours(8)));
        var (second, _) = first.Earn(Rules, "a2", 7, new DateTimeOffset(2026, 1, 10, 23, 30, 0, TimeSpan.FromHours(8)));

        var batch = Assert.Single(second.Batches);
        Assert.Equal(new PointsBatch(new DateOnly(2026, 1, 10), new DateOnly(2027, 1, 11), 12), batch);
        Assert.Equal(new DateTimeOffset(2027, 1, 10, 16, 0, 0, TimeSpan.Zero), Rules.ExpiresAt(batch)); // local midnight starting 2027-01-11
    }

    /// <summary>10 (Jan), 20 (Feb), 30 (Mar); a spend of 25 takes all of January's and 15 of February's.</summary>
    [Fact]
    public void Spend_DrawsTheSoonestExpiringBatchesFirst_AndNamesThem()
    {
        var account = PointsAccount.Empty;
        (account, _) = account.Earn(Rules, "jan", 10, Noon(2026, 1, 1));
        (account, _) = account.Earn(Rules, "feb", 20, Noon(2026, 2, 1));
        (account, _) = account.Earn(Rules, "mar", 30, Noon(2026, 3, 1));

        var (after, entries) = account.Spend(Rules, "r1", 25, Noon(2026, 3, 2));

        var spend = Assert.Single(entries);
        Assert.Equal(PointsKinds.Spend, spend.Kind);
        Assert.Equal([new PointsDraw(new DateOnly(2026, 1, 1), 10), new PointsDraw(new DateOnly(2026, 2, 1), 15)], spend.Draws);
        Assert.Equal([5L, 30L], after.Batches.Select(b => b.Remaining));
        Assert.Equal(35, after.Balance);
        Assert.Equal(35, spend.BalanceAfter);
    }

    [Fact]
    public void Spend_MoreThanTheBalance_IsRefused_AndChangesNothing()
    {
        var (account, _) = PointsAccount.Empty.Earn(Rules, "a1", 50, Noon(2026, 1, 1));

        var change = account.Spend(Rules, "r1", 51, Noon(2026, 1, 2));

        Assert.True(change.Refused);
        Assert.Contains("balance is 50", change.Refusal, StringComparison.Ordinal);
        Assert.Empty(change.Entries);
        Assert.Equal(50, change.Account.Balance);
        Assert.Equal(account.Batches, change.Account.Batches);
    }

    /// <summary>
    /// The bug the issue names: 100 earned, 60 spent, then the batch expires. Only the 40 left expire, so the balance is 0
    /// and equals the sum of the entries (+100 - 60 - 40), not -60 (expiring the 100 earned while the spend stays subtracted).
    /// </summary>
    [Fact]
    public void Expiry_AfterASpend_RemovesOnlyWhatIsLeft_SoTheBalanceEqualsTheEntries()
    {
        var ledger = new List<PointsEntry>();
        var account = PointsAccount.Empty;
        account = Apply(account.Earn(Rules, "a1", 100, Noon(2026, 1, 10)), ledger);
        account = Apply(account.Spend(Rules, "r1", 60, Noon(2026, 6, 1)), ledger);

        var before = account.ExpireDue(Rules, new DateTimeOffset(2027, 1, 10, 15, 59, 59, TimeSpan.Zero));
        account = Apply(account.ExpireDue(Rules, new DateTimeOffset(2027, 1, 10, 16, 0, 0, TimeSpan.Zero)), ledger);

        Assert.Empty(before.Entries);
        var expire = Assert.Single(ledger, e => e.Kind == PointsKinds.Expire);
        Assert.Equal((40L, "2026-01-10", 0L), (expire.Points, expire.SourceKey, expire.BalanceAfter));
        Assert.Equal(0, account.Balance);
        Assert.Equal(0, ledger.Sum(e => e.Delta));
        Assert.Empty(account.Batches);
        Assert.Equal(100, account.Lifetime);
    }

    [Fact]
    public void ExpireDue_Twice_ExpiresEachBatchOnce()
    {
        var (account, _) = PointsAccount.Empty.Earn(Rules, "a1", 10, Noon(2026, 1, 10));
        var later = Noon(2027, 3, 1);

        var (expired, first) = account.ExpireDue(Rules, later);
        var (_, second) = expired.ExpireDue(Rules, later.AddDays(1));

        Assert.Single(first);
        Assert.Empty(second);
    }

    [Fact]
    public void ExpireDue_WithAMaximum_ExpiresTheSoonestFirst_AndLeavesTheRestDue()
    {
        var account = PointsAccount.Empty;
        for (var day = 1; day <= 5; day++)
        {
            (account, _) = account.Earn(Rules, $"a{day}", day, Noon(2026, 1, day));
        }

        var (partly, entries) = account.ExpireDue(Rules, Noon(2027, 6, 1), max: 2);

        Assert.Equal(["2026-01-01", "2026-01-02"], entries.Select(e => e.SourceKey));
        Assert.Equal(12, partly.Balance);
        Assert.True(partly.HasDue(Rules, Noon(2027, 6, 1)));
    }

    [Fact]
    public void Earn_AfterAnExpiry_ExpiresFirst_ThenAwards()
    {
        var (account, _) = PointsAccount.Empty.Earn(Rules, "a1", 10, Noon(2026, 1, 10));

        var (after, entries) = account.Earn(Rules, "a2", 3, Noon(2027, 2, 1));

        Assert.Equal([PointsKinds.Expire, PointsKinds.Earn], entries.Select(e => e.Kind));
        Assert.Equal(3, after.Balance);
        Assert.Equal(13, after.Lifetime);
    }

    private static PointsAccount Apply(PointsChange change, List<PointsEntry> ledger)
    {
        ledger.AddRange(change.Entries);
        return change.Account;
    }
}
