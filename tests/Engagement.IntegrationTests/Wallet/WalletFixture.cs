using Azure.Data.Tables;
using Engagement.Wallet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.IntegrationTests.Wallet;

/// <summary>One Azurite and two engines over it (two "instances", for redeem races), sharing a fake clock.</summary>
public sealed class WalletFixture : IAsyncLifetime
{
    /// <summary>Counts redeems that lost the ETag race (412) and decided again, in either engine.</summary>
    public FaultingLoggerProvider Races { get; } = new("LogRedeemRace", times: 0);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    public LocalEngine Engine { get; private set; } = null!;

    public LocalEngine Second { get; private set; } = null!;

    public WalletStore Store => Engine.Get<WalletStore>();

    public async Task InitializeAsync()
    {
        void CountRaces(IServiceCollection s) => s.AddLogging(b => b.ClearProviders().AddProvider(Races));
        Engine = await TestEngine.StartAsync(Time, CountRaces, LogLevel.Debug);
        Second = await TestEngine.StartAsync(Time, CountRaces, LogLevel.Debug, existingStorage: Engine.Azurite!.ConnectionString);
        await Engine.Get<StorageClients>().TableAsync(TableNames.Wallet); // created outside any counted scope
        await Second.Get<StorageClients>().TableAsync(TableNames.Wallet);
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await Engine.DisposeAsync();
        Races.Dispose();
    }

    /// <summary><paramref name="count"/> user ids that fall in <paramref name="shard"/>, sorted, all starting with <paramref name="prefix"/>.</summary>
    public List<string> UsersIn(string shard, string prefix, int count)
    {
        var shards = Engine.Get<UserShards>();
        return [.. Enumerable.Range(0, int.MaxValue).Select(i => $"{prefix}{i}").Where(u => shards.Of(u) == shard).Take(count).Order(StringComparer.Ordinal)];
    }

    public string ShardOf(string userId) => Engine.Get<UserShards>().Of(userId);

    public CouponGrant Grant(string item = "coupon-10", TimeSpan? startsIn = null, TimeSpan? lasts = null)
    {
        var from = Time.GetUtcNow() + (startsIn ?? TimeSpan.Zero);
        return new CouponGrant(item, 10m, "CNY", from, from + (lasts ?? TimeSpan.FromDays(30)));
    }

    /// <summary>One user's coupon, issued alone.</summary>
    public async Task<Coupon> IssueOneAsync(string userId, string issueKey, CouponGrant? grant = null) =>
        Assert.Single(await Store.IssueAsync(ShardOf(userId), issueKey, [(userId, grant ?? Grant())], TestEngine.Deadline()));

    /// <summary>The wallet rows of a shard (both kinds) for one issue key's users, straight from the table.</summary>
    public async Task<List<TableEntity>> RowsAsync(string shard, string issueKey) =>
        (await TestEngine.QueryAsync(Engine, TableNames.Wallet, TableClient.CreateQueryFilter($"PartitionKey eq {shard}")))
            .Where(e => e.GetString("IssueKey") == issueKey).ToList();
}
