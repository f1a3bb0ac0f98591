using Azure;
using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Users;
using Microsoft.Extensions.Options;

namespace Engagement.Tests.Activity;

public class RecentUsersCacheTests
{
    private static RecentUsersCache Cache(int capacity) => new(Options.Create(new ActivityOptions { CachedUsers = capacity }));

    private static TableEntity User(string id, string etag = "W/\"1\"") => new("s00", id) { ETag = new ETag(etag) };

    [Fact]
    public void TryTake_AfterPut_ReturnsTheEntityOnceOnly()
    {
        var cache = Cache(10);
        var user = User("a");
        cache.Put(user);

        Assert.True(cache.TryTake("s00", "a", out var taken));
        Assert.Same(user, taken);
        // checked out: a concurrent message for the same user must read from storage
        Assert.False(cache.TryTake("s00", "a", out _));
    }

    [Fact]
    public void Put_WithoutETag_IsNotCached()
    {
        var cache = Cache(10);
        cache.Put(new TableEntity("s00", "a"));

        Assert.False(cache.TryTake("s00", "a", out _));
    }

    [Fact]
    public void Put_OverCapacity_EvictsTheOldestWritten()
    {
        var cache = Cache(3);
        foreach (var id in new[] { "a", "b", "c" })
        {
            cache.Put(User(id));
        }

        cache.Put(User("a", "W/\"2\"")); // re-written: now the newest
        cache.Put(User("d"));

        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryTake("s00", "b", out _));
        Assert.True(cache.TryTake("s00", "a", out var a));
        Assert.Equal(new ETag("W/\"2\""), a.ETag);
        Assert.True(cache.TryTake("s00", "c", out _));
        Assert.True(cache.TryTake("s00", "d", out _));
    }

    [Fact]
    public void Capacity0_CachesNothing()
    {
        var cache = Cache(0);
        cache.Put(User("a"));

        Assert.False(cache.TryTake("s00", "a", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Put_ManyRewritesOfFewUsers_StaysBounded()
    {
        var cache = Cache(100);
        for (var i = 0; i < 100_000; i++)
        {
            cache.Put(User("u" + (i % 50)));
        }

        Assert.Equal(50, cache.Count);
    }
}
