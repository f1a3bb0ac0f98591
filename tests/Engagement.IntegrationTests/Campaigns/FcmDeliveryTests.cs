using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Local.Fakes;
using Engagement.Users;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>Push through FCM HTTP v1 (service-account OAuth2 and all) to the loopback FCM fake.</summary>
public sealed class FcmDeliveryTests : IAsyncLifetime
{
    private const int Users = 30;
    private FcmFake _fcm = null!;
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _fcm = await FcmFake.StartAsync();
        _engine = await TestEngine.StartAsync(new StoppedClock(new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero)), settings: new Dictionary<string, string?>
        {
            ["Fcm:ProjectId"] = "engage-local",
            ["Fcm:ServiceAccountJson"] = _fcm.ServiceAccountJson,
            ["Fcm:BaseUrl"] = _fcm.BaseUrl.ToString(),
            ["Delivery:NotSentRetryDelay"] = "00:00:00.200",
        });
        await Population.SeedRecipientsAsync(_engine, Enumerable.Range(0, Users).Select(i => (User(i), new UserProfile
        {
            PushToken = Token(i),
            ConsentPush = true,
            TimeZone = "Asia/Shanghai",
            Source = "test",
        }, "potential")));
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _fcm.DisposeAsync();
    }

    private static string User(int i) => $"f{i:D3}";

    private static string Token(int i) => $"fcm-token-{i}";

    private Task RunAsync(string id) => TestEngine.RunCampaignAsync(_engine, $$"""
        {"schemaVersion":1,"campaignId":"{{id}}","name":"Day 1 task","audience":{"tiers":["potential"]},
         "channels":[{"channel":"push","title":"Your first task","template":"One small step today earns 10 points"}]}
        """);

    private async Task<List<DeliveryRow>> LedgerAsync(string id) =>
        await TestEngine.LedgerAsync(_engine, id);

    [Fact]
    public async Task Campaign_SendsEachTokenOnePush_WithBearerAndACollapseKeyPerDelivery()
    {
        await RunAsync("p-1");

        var sent = _fcm.Requests.Where(r => r.Status == 200).ToList();
        Assert.Equal(Users, sent.Count);
        Assert.Equal(Users, sent.Select(r => r.Token).Distinct().Count());
        Assert.All(sent, r => Assert.Equal("Bearer fake-access-token", r.Authorization));
        Assert.All(sent, r => Assert.Equal(("Your first task", "One small step today earns 10 points"), (r.Title, r.Body)));
        Assert.Equal(Users, sent.Select(r => r.CollapseKey).Distinct().Count());
        Assert.True(_fcm.TokensIssued >= 1);
        var ledger = await LedgerAsync("p-1");
        Assert.All(ledger, r => Assert.Equal(DeliveryStates.Accepted, r.State));
        Assert.All(ledger, r => Assert.StartsWith("projects/engage-local/messages/", r.ProviderId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnregisteredToken_FailedAndRemoved_NextCampaignSkipsIt()
    {
        _fcm.Unregistered[Token(3)] = true;

        await RunAsync("p-unreg");

        Assert.Equal(DeliveryStates.Failed, (await LedgerAsync("p-unreg")).Single(r => r.UserId == User(3)).State);
        var users = await _engine.Get<StorageClients>().TableAsync(TableNames.Users);
        var user = (await users.GetEntityAsync<TableEntity>(_engine.Get<UserShards>().Of(User(3)), User(3))).Value;
        Assert.Equal("", user.GetString(UserEntity.PushToken));

        await RunAsync("p-unreg-2");

        Assert.Equal("no-push-token", (await LedgerAsync("p-unreg-2")).Single(r => r.UserId == User(3)).Reason);
        Assert.Single(_fcm.Requests, r => r.Token == Token(3));
    }

    [Fact]
    public async Task QuotaExceeded_RetriedAfterRetryAfter_EachTokenOnce()
    {
        _fcm.QuotaExceeded = 3;

        await RunAsync("p-quota");

        Assert.Equal(3, _fcm.Requests.Count(r => r.Status == 429));
        var sent = _fcm.Requests.Where(r => r.Status == 200).GroupBy(r => r.Token).ToList();
        Assert.Equal(Users, sent.Count);
        Assert.All(sent, g => Assert.Single(g));
        Assert.All(await LedgerAsync("p-quota"), r => Assert.Equal(DeliveryStates.Accepted, r.State));
    }
}
