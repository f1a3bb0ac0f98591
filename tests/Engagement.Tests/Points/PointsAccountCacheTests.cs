using Azure;
using Engagement.Points;

namespace Engagement.Tests.Points;

public sealed class PointsAccountCacheTests
{
    private static PointsAccount Account(long balance) => PointsAccount.Empty with { Balance = balance };

    [Fact]
    public void Put_ThenTryGet_ReturnsTheLastAccountAndETag_UntilForgotten()
    {
        var cache = new PointsAccountCache(10);
        cache.Put("u1", Account(5), new ETag("W/\"1\""));
        cache.Put("u1", Account(7), new ETag("W/\"2\""));

        Assert.True(cache.TryGet("u1", out var entry));
        Assert.Equal((7L, new ETag("W/\"2\"")), (entry.Account.Balance, entry.ETag));
        Assert.False(cache.TryGet("u2", out _));

        cache.Forget("u1");

        Assert.False(cache.TryGet("u1", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void CapacityZero_KeepsNothing()
    {
        var cache = new PointsAccountCache(0);
        cache.Put("u1", Account(5), new ETag("W/\"1\""));

        Assert.False(cache.TryGet("u1", out _));
    }

    [Fact]
    public void PastTheBound_HalfIsDropped()
    {
        var cache = new PointsAccountCache(10);
        for (var u = 0; u < 10; u++)
        {
            cache.Put($"u{u}", Account(u), new ETag("W/\"1\""));
        }

        Assert.Equal(10, cache.Count);
        cache.Put("u10", Account(10), new ETag("W/\"1\""));

        Assert.Equal(5, cache.Count);
    }

    [Fact]
    public void ConcurrentPuts_EndWithinTheBound()
    {
        var cache = new PointsAccountCache(100);
        Parallel.For(0, 10_000, u => cache.Put($"u{u}", Account(u), new ETag("W/\"1\"")));
        cache.Put("last", Account(0), new ETag("W/\"1\"")); // a put trims whatever a concurrent trim left over

        Assert.InRange(cache.Count, 1, 100);
    }
}
