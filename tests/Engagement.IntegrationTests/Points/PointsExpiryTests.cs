using Engagement.Points;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.IntegrationTests.Points;

/// <summary>Expiry on Azurite with the engine's fake clock: expire entries are written and the balance stays the sum of the entries.</summary>
public sealed class PointsExpiryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 10, 4, 0, 0, TimeSpan.Zero)); // noon in Shanghai
    private LocalEngine _engine = null!;

    private PointsStore Store => _engine.Get<PointsStore>();

    private static CancellationToken Ct => TestEngine.Deadline();

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(_time);

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task PointsExpireAYearLater_AsEntries_AfterSpendsTookTheirShare()
    {
        await Store.EarnAsync("exp-1", "a1", 100, Ct);          // 2026-01-10
        _time.Advance(TimeSpan.FromDays(31));
        await Store.EarnAsync("exp-1", "a2", 50, Ct);           // 2026-02-10
        _time.Advance(TimeSpan.FromDays(100));
        await Store.SpendAsync("exp-1", "s1", 120, Ct);         // 100 from January, 20 from February

        _time.SetUtcNow(new DateTimeOffset(2027, 1, 10, 15, 59, 0, TimeSpan.Zero)); // 23:59 on 2027-01-10 in Shanghai: still valid
        Assert.Equal(30, (await Store.ExpireDueAsync("exp-1", Ct))!.Balance);
        _time.SetUtcNow(new DateTimeOffset(2027, 2, 11, 0, 0, 0, TimeSpan.Zero)); // past February's batch

        var account = await Store.ExpireDueAsync("exp-1", Ct);
        var again = await Store.ExpireDueAsync("exp-1", Ct);

        var entries = await Store.EntriesAsync("exp-1", Ct);
        var expire = Assert.Single(entries, e => e.Kind == PointsKinds.Expire); // January's batch was spent out: nothing of it expires
        Assert.Equal((30L, new DateOnly(2026, 2, 10)), (expire.Points, expire.Batch));
        Assert.Equal(0, account!.Balance);
        Assert.Equal(0, again!.Balance);
        Assert.Equal(0, entries.Sum(e => e.Delta));
        Assert.Equal((150L, 2), (account.Lifetime, account.Level));
    }

    /// <summary>A user back after a year with 120 daily batches due: more than one transaction holds, so they expire in parts before the earn.</summary>
    [Fact]
    public async Task AnEarnAfterALongAbsence_ExpiresEveryDueBatch_InSeveralTransactions()
    {
        for (var day = 0; day < 120; day++)
        {
            await Store.EarnAsync("exp-many", $"d{day}", 2, Ct);
            _time.Advance(TimeSpan.FromDays(1));
        }

        _time.Advance(TimeSpan.FromDays(400));
        var earned = await Store.EarnAsync("exp-many", "back", 7, Ct);

        Assert.Equal(PointsOutcome.Applied, earned.Outcome);
        var entries = await Store.EntriesAsync("exp-many", Ct);
        Assert.Equal(120, entries.Count(e => e.Kind == PointsKinds.Expire));
        Assert.Equal(7, entries.Sum(e => e.Delta));
        var account = (await Store.AccountAsync("exp-many", Ct))!;
        Assert.Equal((7L, 247L), (account.Balance, account.Lifetime));
        Assert.Equal(7, Assert.Single(account.Batches).Remaining);
    }
}
