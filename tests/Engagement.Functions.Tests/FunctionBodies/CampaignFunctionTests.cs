using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>CampaignTrigger and Deliver with bound QueueMessages, in-app only (no provider); each test has its own app and queues.</summary>
public sealed class CampaignFunctionTests : IAsyncLifetime
{
    private static readonly string[] Dormant = ["cf-0", "cf-1", "cf-2"];
    private FunctionApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await FunctionApp.StartAsync();
        await _app.SeedUsersAsync("dormant", Dormant.Select(id => (id, new UserProfile { TimeZone = "Asia/Shanghai", ConsentInApp = true, Source = "test" })).ToArray());
        await _app.SeedUsersAsync("regular", ("cf-regular", new UserProfile { TimeZone = "Asia/Shanghai", ConsentInApp = true, Source = "test" }));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Trigger(string campaignId) => $$"""
        {
          "schemaVersion": 1, "campaignId": "{{campaignId}}", "name": "We miss you",
          "audience": { "tiers": ["dormant"] },
          "channels": [ { "channel": "inapp", "title": "Welcome back", "template": "30% off for you" } ],
          "holdoutPercent": 0,
          "expiresAt": "2026-12-20T00:00:00+08:00"
        }
        """;

    private Task CampaignTriggerAsync(string body) => _app.TriggerAsync(nameof(CampaignFunctions.CampaignTrigger), FunctionApp.Message(body));

    private Task<List<DeliveryRow>> LedgerAsync(string campaignId) =>
        _app.Get<DeliveryLedger>().RowsAsync(campaignId, _app.Get<UserShards>().All, FunctionApp.Deadline());

    private async Task<IReadOnlyList<InboxMessage>> InboxAsync(string userId) =>
        await _app.Get<Inbox>().ListAsync(userId, includeExpired: false, FunctionApp.Deadline());

    [Fact]
    public async Task CampaignTrigger_ValidTrigger_RecordsAndPlansTheCampaignAndQueuesItsChunks()
    {
        await CampaignTriggerAsync(Trigger("cf-plan"));

        Assert.Equal(CampaignStates.Planned, (await _app.Get<CampaignStore>().GetAsync("cf-plan", FunctionApp.Deadline()))?.State);
        var ledger = await LedgerAsync("cf-plan");
        Assert.Equal(Dormant, ledger.Select(r => r.UserId).Order(StringComparer.Ordinal));
        Assert.All(ledger, r => Assert.Equal((Channels.InApp, DeliveryStates.Planned), (r.Channel, r.State)));
        Assert.NotEmpty(await _app.PeekAsync(QueueNames.Deliveries));
        Assert.Empty(await InboxAsync(Dormant[0])); // planned, not sent: sending is the deliveries trigger's
    }

    [Fact]
    public async Task Deliver_TheCampaignsChunks_PutTheMessageInEachRecipientsInboxOnce()
    {
        await CampaignTriggerAsync(Trigger("cf-send"));
        var chunks = await _app.PeekAsync(QueueNames.Deliveries);

        var handled = await _app.DrainAsync(QueueNames.Deliveries, nameof(DeliveryFunctions.Deliver));
        // a chunk delivered again (the queue is at-least-once) sends nothing twice
        await _app.TriggerAsync(nameof(DeliveryFunctions.Deliver), FunctionApp.Message(chunks[0], dequeueCount: 2));

        Assert.Equal(chunks.Count, handled);
        foreach (var user in Dormant)
        {
            var message = Assert.Single(await InboxAsync(user));
            Assert.Equal(("cf-send", "Welcome back", "30% off for you"), (message.CampaignId, message.Title, message.Body));
        }

        Assert.Empty(await InboxAsync("cf-regular"));
        Assert.All(await LedgerAsync("cf-send"), r => Assert.Equal(DeliveryStates.Accepted, r.State));
        Assert.Empty(await _app.ErrorRowsAsync(QueueNames.Deliveries));
    }
}
