using System.Text.Json;
using Engagement.Content;
using Engagement.Delivery;
using Engagement.Interactions;
using Engagement.Users;

namespace Engagement.IntegrationTests.Infrastructure;

/// <summary>A content campaign as the weekly run hands it off (<c>content-…</c>, <c>content_id</c> in its variables), really delivered in-app.</summary>
public static class ContentCampaign
{
    /// <summary>
    /// Items <c>{prefix}-item</c> (food) and <c>{prefix}-other</c> (toys) in the catalogue, active from a week before
    /// <paramref name="now"/>; campaign <c>content-{prefix}</c> delivering the first in-app to {prefix}-u1 and -u2.
    /// </summary>
    /// <returns>The campaign, the item and each user's delivery id.</returns>
    public static async Task<(string CampaignId, string ItemId, Dictionary<string, string> Deliveries)> RunAsync(LocalEngine engine, string prefix, DateTimeOffset now)
    {
        var item = prefix + "-item";
        await engine.Get<ContentStore>().UpsertAsync([Item(item, "food", now), Item(prefix + "-other", "toys", now)], TestEngine.Deadline());
        string[] users = [prefix + "-u1", prefix + "-u2"];
        await Population.SeedRecipientsAsync(engine, users.Select(u => (u, new UserProfile { ConsentInApp = true, TimeZone = "Asia/Shanghai", Source = "test" }, "dormant")));
        var campaignId = ContentCampaigns.Prefix + prefix;
        await TestEngine.RunCampaignAsync(engine, $$"""
            {
              "schemaVersion": 1, "campaignId": "{{campaignId}}", "name": "This week for you",
              "audience": { "userIds": {{JsonSerializer.Serialize(users)}} }, "frequencyCap": false,
              "channels": [ { "channel": "inapp", "title": "For you", "template": "A recipe after your workout" } ],
              "variables": { "{{ContentCampaigns.ContentIdVariable}}": "{{item}}" },
              "expiresAt": "{{now.AddDays(7):O}}"
            }
            """);
        var ledger = await TestEngine.LedgerAsync(engine, campaignId);
        Assert.All(ledger, r => Assert.Equal(DeliveryStates.Accepted, r.State));
        return (campaignId, item, ledger.ToDictionary(r => r.UserId, r => r.Id));
    }

    private static ContentItem Item(string id, string category, DateTimeOffset now) =>
        new(id, "Title " + id, "Body", "app://content/" + id, [category], [], "en", now.AddDays(-7), null, 0);
}
