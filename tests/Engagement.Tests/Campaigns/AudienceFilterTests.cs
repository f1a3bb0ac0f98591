using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.Tests.Campaigns;

public class AudienceFilterTests
{
    private static TableEntity User(UserShards shards, string id, string? tier, string? interests = null) =>
        new(shards.Of(id), id) { [UserEntity.Tier] = tier, [UserEntity.Interests] = interests };

    private static Task<AudienceShard> SelectAsync(CampaignAudience audience, UserShards shards, string shard, IEnumerable<TableEntity> users, int holdoutPercent = 0) =>
        new AudienceFilter(audience, shards).SelectAsync(shard, users.ToAsyncEnumerable(), "c-1", holdoutPercent, CancellationToken.None);

    [Fact]
    public async Task SelectAsync_TiersOrListedIds_NarrowedByInterests_InReadOrder()
    {
        var shards = new UserShards(1);
        var audience = new CampaignAudience(["dormant"], ["u3", "u5"], ["fitness"]);
        TableEntity[] users =
        [
            User(shards, "u1", "dormant", "Fitness, toys"), // tier, interest (any case)
            User(shards, "u2", "dormant", "toys"), // tier, no interest
            User(shards, "u3", "regular", "fitness"), // listed, interest
            User(shards, "u4", "regular", "fitness"), // neither tier nor listed
            User(shards, "u5", "regular", null), // listed, no interest: out, but it is a user, so not unknown
            User(shards, "u6", null, "recipes,fitness"), // no tier
            User(shards, "u7", "dormant", "recipes,fitness"),
        ];

        var selected = await SelectAsync(audience, shards, "s00", users);

        Assert.Equal("s00", selected.Shard);
        Assert.Equal(["u1", "u3", "u7"], selected.Members.Select(m => m.User.RowKey));
        Assert.Empty(selected.UnknownUserIds);
    }

    [Fact]
    public async Task SelectAsync_WithoutInterests_TakesTheWholeTierAndEveryListedUser()
    {
        var shards = new UserShards(1);
        var selected = await SelectAsync(new CampaignAudience(["dormant"], ["u2"], []), shards, "s00",
            [User(shards, "u1", "dormant"), User(shards, "u2", "regular"), User(shards, "u3", "regular")]);

        Assert.Equal(["u1", "u2"], selected.Members.Select(m => m.User.RowKey));
    }

    [Fact]
    public async Task SelectAsync_ListedIdsWithNoRow_AreUnknown_OnlyInTheirOwnShard()
    {
        var shards = new UserShards(4);
        string[] ghosts = [.. Enumerable.Range(0, 20).Select(i => $"ghost-{i}")];
        var present = Enumerable.Range(0, 40).Select(i => $"u{i}").First(u => shards.Of(u) == "s02");
        var audience = new CampaignAudience([], [present, .. ghosts], []);

        var selected = await SelectAsync(audience, shards, "s02", [User(shards, present, null)]);

        Assert.Equal([present], selected.Members.Select(m => m.User.RowKey));
        Assert.Equal(ghosts.Where(g => shards.Of(g) == "s02").Order(StringComparer.Ordinal), selected.UnknownUserIds.Order(StringComparer.Ordinal));
        Assert.NotEmpty(selected.UnknownUserIds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(100)]
    public async Task SelectAsync_HoldoutIsThePlannersDeterministicDecision(int holdoutPercent)
    {
        var shards = new UserShards(1);
        var users = Enumerable.Range(0, 200).Select(i => User(shards, $"u{i:D3}", "dormant")).ToList();

        var selected = await SelectAsync(new CampaignAudience(["dormant"], [], []), shards, "s00", users, holdoutPercent);

        Assert.Equal(users.Select(u => u.RowKey), selected.Members.Select(m => m.User.RowKey));
        Assert.All(selected.Members, m => Assert.Equal(CampaignPlanner.IsHeldOut("c-1", m.User.RowKey, holdoutPercent), m.HeldOut));
        var held = selected.Members.Count(m => m.HeldOut);
        // about the percentage of 200: none at 0, all at 100
        Assert.InRange(held, holdoutPercent == 100 ? 200 : holdoutPercent, Math.Min(200, holdoutPercent * 3));
    }
}
