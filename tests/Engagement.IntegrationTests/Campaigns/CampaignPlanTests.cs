using Azure;
using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>A valid trigger is planned into the deliveries ledger before anything is sent; replays add nothing twice.</summary>
public sealed class CampaignPlanTests : IAsyncLifetime
{
    private const int Users = 300;
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync(
            new StoppedClock(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero)),
            s => s.AddSingleton<IChannelSender>(new RecordingSender(Channels.Sms)));
        // tiers as a nightly run would have written them: every other user dormant
        await Population.SeedRecipientsAsync(_engine, Enumerable.Range(0, Users).Select(i =>
            ($"p{i:D3}", new UserProfile { Interests = i % 3 == 0 ? "toys" : "fitness,recipes", Source = "test" }, i % 2 == 0 ? "dormant" : "regular")));
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private const string Body = """
        {
          "schemaVersion": 1,
          "campaignId": "plan-1",
          "name": "Win-back",
          "audience": { "tiers": ["dormant"], "userIds": ["p001", "ghost-1"], "interests": ["fitness"] },
          "channels": [ { "channel": "sms", "template": "Come back: {{ campaign }}" }, { "channel": "inapp", "title": "Hi", "template": "Come back" } ],
          "holdoutPercent": 20
        }
        """;

    private static bool InAudience(int i) => (i % 2 == 0 || i == 1) && i % 3 != 0;

    private async Task<List<DeliveryRow>> LedgerAsync() =>
        await TestEngine.LedgerAsync(_engine, "plan-1");

    private async Task SendAndDrainAsync()
    {
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, Body);
        var pumped = await _engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());
        Assert.Equal(0, pumped.DeadLettered);
    }

    [Fact]
    public async Task Trigger_PlansOneRowPerRecipientAndChannel_WithHoldoutAndUnknownUsers()
    {
        await SendAndDrainAsync();

        var rows = await LedgerAsync();
        var expected = Enumerable.Range(0, Users).Where(InAudience).Select(i => $"p{i:D3}").ToList();
        foreach (var user in expected)
        {
            var mine = rows.Where(r => r.UserId == user).ToList();
            Assert.Equal(["inapp", "sms"], mine.Select(r => r.Channel).Order());
            var held = CampaignPlanner.IsHeldOut("plan-1", user, 20);
            Assert.All(mine, r => Assert.Equal(held ? DeliveryStates.HeldOut : DeliveryStates.Planned, r.State));
        }

        var ghost = rows.Where(r => r.UserId == "ghost-1").ToList();
        Assert.Equal(2, ghost.Count);
        Assert.All(ghost, r => Assert.Equal((DeliveryStates.Skipped, "unknown-user"), (r.State, r.Reason)));
        Assert.Equal(expected.Count * 2 + 2, rows.Count);
        // the control group is about a fifth of the audience, not all or nothing
        var heldOut = expected.Count(u => CampaignPlanner.IsHeldOut("plan-1", u, 20));
        Assert.InRange(heldOut, expected.Count / 10, expected.Count * 3 / 10);

        var campaign = (await TestEngine.QueryAsync(_engine, TableNames.Campaigns, "RowKey eq 'plan-1'")).Single();
        Assert.Equal(CampaignStates.Planned, campaign.GetString("State"));
        Assert.Equal(expected.Count, campaign.GetInt64("Recipients"));
        Assert.Equal(heldOut * 2, campaign.GetInt64("HeldOut"));
    }

    [Fact]
    public async Task PreviewAndPlan_AgreeOnRecipientsHoldoutAndUnknownUsers()
    {
        var trigger = _engine.Get<CampaignTriggerParser>().Parse(Body);
        var preview = await _engine.Get<CampaignPreview>().PreviewAsync(trigger, samplesPerOutcome: 0, TestEngine.Deadline());

        await SendAndDrainAsync();

        var rows = await LedgerAsync();
        var recipients = (await TestEngine.QueryAsync(_engine, TableNames.Campaigns, "RowKey eq 'plan-1'")).Single().GetInt64("Recipients");
        foreach (var channel in new[] { Channels.Sms, Channels.InApp })
        {
            var previewed = preview.Counts.Where(c => c.Key.Channel == channel).ToList();
            var held = previewed.Where(c => c.Key.Outcome == DeliveryStates.HeldOut).Sum(c => c.Value);
            var unknown = previewed.Where(c => c.Key.Reason == "unknown-user").Sum(c => c.Value);
            var others = previewed.Sum(c => c.Value) - held - unknown;
            var ledger = rows.Where(r => r.Channel == channel).ToList();
            Assert.Equal(held, ledger.Count(r => r.State == DeliveryStates.HeldOut));
            Assert.Equal(unknown, ledger.Count(r => (r.State, r.Reason) == (DeliveryStates.Skipped, "unknown-user")));
            Assert.Equal(others, ledger.Count(r => r.State == DeliveryStates.Planned));
            Assert.Equal(recipients, held + others);
            Assert.True(held > 0 && unknown > 0 && others > 0);
        }
    }

    [Fact]
    public async Task CrashMidPlanThenRedelivery_AddsOnlyTheMissingRowsAndKeepsStatesThatMovedOn()
    {
        await SendAndDrainAsync();
        var rows = await LedgerAsync();
        // as if the plan had stopped part-way and one delivery had already gone out
        var moved = rows.First(r => r.State == DeliveryStates.Planned);
        Assert.True((await _engine.Get<DeliveryLedger>().TryMoveAsync(moved, moved with { State = DeliveryStates.Accepted }, TestEngine.Deadline())).Moved);
        foreach (var r in rows.Where(r => r.RowKey != moved.RowKey).Take(25))
        {
            await (await TestEngine.LedgerTableOf(_engine, r)).DeleteEntityAsync(r.PartitionKey, r.RowKey);
        }

        var campaigns = await _engine.Get<StorageClients>().TableAsync(TableNames.Campaigns);
        await campaigns.UpdateEntityAsync(new TableEntity("campaign", "plan-1") { ["State"] = CampaignStates.Accepted }, ETag.All, TableUpdateMode.Merge);

        await SendAndDrainAsync();

        var again = await LedgerAsync();
        Assert.Equal(rows.Count, again.Count);
        Assert.Equal(DeliveryStates.Accepted, again.Single(r => r.PartitionKey == moved.PartitionKey && r.RowKey == moved.RowKey).State);
        Assert.Equal(CampaignStates.Planned, (await _engine.Get<CampaignStore>().GetAsync("plan-1", TestEngine.Deadline()))!.State);
    }

    [Fact]
    public async Task DuplicateOfAPlannedCampaign_WritesNothing()
    {
        await SendAndDrainAsync();
        var before = (await LedgerAsync()).ToDictionary(r => r.PartitionKey + "/" + r.RowKey, r => r.ETag);

        await SendAndDrainAsync();

        var after = (await LedgerAsync()).ToDictionary(r => r.PartitionKey + "/" + r.RowKey, r => r.ETag);
        Assert.Equal(before, after);
    }
}
