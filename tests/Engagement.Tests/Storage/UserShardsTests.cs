using System.IO.Hashing;
using System.Text;
using Engagement.Storage;
using Microsoft.Extensions.Options;

namespace Engagement.Tests.Storage;

public class UserShardsTests
{
    [Theory]
    [InlineData("user-1")]
    [InlineData("13800138000")]
    [InlineData("用户-42")]
    [InlineData("a")]
    public void Of_SameId_SameShardAcrossInstances(string userId)
    {
        var fromOptions = new UserShards(Options.Create(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true", UserShards = 64 }));
        var direct = new UserShards(64);

        Assert.Equal(direct.Of(userId), fromOptions.Of(userId));
        Assert.Equal(direct.Of(userId), new UserShards(64).Of(userId));
    }

    [Fact]
    public void Of_DefaultOptions_UsesConfiguredDefaultCount()
    {
        var options = new StorageOptions();
        var shards = new UserShards(Options.Create(options));

        Assert.Equal(options.UserShards, shards.Count);
        Assert.Equal(new UserShards(options.UserShards).Of("user-1"), shards.Of("user-1"));
    }

    [Fact]
    public void Of_AnyId_IsXxHash32OfUtf8ModuloCount()
    {
        // the mapping is persisted (partition keys): it must never change between versions or processes
        var shards = new UserShards(64);
        foreach (var id in new[] { "user-1", "user-2", "用户-42", "" })
        {
            var expected = XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(id)) % 64;
            Assert.Equal($"s{expected:D2}", shards.Of(id));
        }
    }

    [Theory]
    [InlineData(1, "s00", "s00")]
    [InlineData(10, "s00", "s09")]
    [InlineData(64, "s00", "s63")]
    [InlineData(100, "s00", "s99")]
    [InlineData(101, "s000", "s100")]
    [InlineData(1000, "s000", "s999")]
    public void All_AnyCount_DistinctNamesInIndexOrderThatSortOrdinally(int count, string first, string last)
    {
        var shards = new UserShards(count);

        Assert.Equal(count, shards.Count);
        Assert.Equal(count, shards.All.Count);
        Assert.Equal(count, shards.All.Distinct().Count());
        Assert.Equal(first, shards.All[0]);
        Assert.Equal(last, shards.All[^1]);
        Assert.Equal(shards.All.Order(StringComparer.Ordinal), shards.All);
        Assert.Equal(Enumerable.Range(0, count).Select(shards.Name), shards.All);
    }

    [Fact]
    public void Of_AnyId_IsOneOfAll()
    {
        var shards = new UserShards(7);
        var all = shards.All.ToHashSet();

        Assert.All(Enumerable.Range(0, 1_000).Select(i => shards.Of($"u{i}")), s => Assert.Contains(s, all));
    }

    [Fact]
    public void Of_100kIds_SpreadsRoughlyUniformlyOver64Shards()
    {
        var shards = new UserShards(64);

        var counts = Enumerable.Range(0, 100_000).Select(i => shards.Of($"user-{i}")).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());

        var mean = 100_000 / 64.0;
        Assert.Equal(64, counts.Count);
        Assert.All(counts, kv => Assert.InRange(kv.Value, mean * 0.75, mean * 1.25));
    }

    [Fact]
    public void Ctor_CountBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new UserShards(0));
    }
}
