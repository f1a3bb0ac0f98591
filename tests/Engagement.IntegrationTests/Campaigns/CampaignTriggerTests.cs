using System.Text;
using Engagement.Campaigns;
using Engagement.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>Campaign triggers through the queue policy on Azurite: accepted once, bad ones dead-lettered with their error.</summary>
public sealed class CampaignTriggerTests : IAsyncLifetime
{
    private LocalEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(
        new StoppedClock(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero)),
        s => s.AddSingleton<Engagement.Delivery.IChannelSender>(new RecordingSender(Channels.Sms)));

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static string Trigger(string id, string template = "{{ campaign }}: 50 off until {{ expires_at }}") => $$"""
        {
          "schemaVersion": 1,
          "campaignId": "{{id}}",
          "name": "Member day",
          "audience": { "tiers": ["dormant"] },
          "channels": [ { "channel": "sms", "template": "{{template}}" } ],
          "expiresAt": "2026-12-19T00:00:00+08:00"
        }
        """;

    private async Task<Local.Queues.PumpProgress> DrainAsync() =>
        await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());

    [Fact]
    public async Task SameTriggerTwice_RecordedOnceAndTheSecondChangesNothing()
    {
        var body = Trigger("md-2026-12");
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, body);
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, Convert.ToBase64String(Encoding.UTF8.GetBytes(body))); // the Functions default encoding

        var pumped = await DrainAsync();

        Assert.Equal(2, pumped.Handled);
        Assert.Equal(0, pumped.DeadLettered);
        var rows = await TestEngine.QueryAsync(_engine, TableNames.Campaigns, "PartitionKey eq 'campaign'");
        var row = Assert.Single(rows, r => r.RowKey == "md-2026-12");
        Assert.Equal(body, row.GetString("Trigger"));
        Assert.Equal(CampaignStates.Planned, row.GetString("State")); // no users yet: an empty plan
    }

    [Fact]
    public async Task SameIdDifferentDefinition_DeadLetteredAndTheFirstStands()
    {
        var first = Trigger("md-changed");
        var second = Trigger("md-changed", "{{ campaign }}: 70 off");
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, first);
        await DrainAsync();
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, second);

        var pumped = await DrainAsync();

        Assert.Equal(1, pumped.DeadLettered);
        await TestEngine.AssertDeadLetteredAsync(_engine, QueueNames.CampaignTriggers, second, "already exists with a different definition");
        var stored = await _engine.Get<CampaignStore>().GetAsync("md-changed", TestEngine.Deadline());
        Assert.Equal(first, stored!.Trigger);
    }

    [Theory]
    [InlineData("{\"schemaVersion\": 1, \"campaignId\": \"bad-1\"", "invalid JSON")]
    [InlineData("{\"schemaVersion\": 1, \"campaignId\": \"bad-2\", \"name\": \"x\", \"audience\": {\"tiers\": [\"vip\"]}, \"channels\": [{\"channel\": \"sms\", \"template\": \"hi\"}]}", "unknown tier 'vip'")]
    [InlineData("{\"schemaVersion\": 1, \"campaignId\": \"bad-3\", \"name\": \"x\", \"audience\": {\"tiers\": [\"dormant\"]}, \"channels\": [{\"channel\": \"fax\", \"template\": \"hi\"}]}", "unknown channel 'fax'")]
    [InlineData("{\"schemaVersion\": 1, \"campaignId\": \"bad-4\", \"name\": \"x\", \"audience\": {\"tiers\": [\"dormant\"]}, \"channels\": [{\"channel\": \"sms\", \"template\": \"hi {{ nmae }}\"}]}", "fails to render a sample")]
    [InlineData("{\"schemaVersion\": 1, \"campaignId\": \"bad-6\", \"name\": \"x\", \"audience\": {\"tiers\": [\"dormant\"]}, \"channels\": [{\"channel\": \"push\", \"title\": \"t\", \"template\": \"hi\"}]}", "no provider is configured for push")]
    [InlineData("{\"schemaVersion\": 1, \"campaignId\": \"bad-5\", \"name\": \"x\", \"audience\": {\"tiers\": [\"dormant\"]}, \"channels\": [{\"channel\": \"sms\", \"template\": \"hi\"}], \"expiresAt\": \"2026-11-30T00:00:00Z\"}", "expired")]
    public async Task InvalidTrigger_DeadLetteredWithItsErrorAndNotRecorded(string body, string error)
    {
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, body);

        var pumped = await DrainAsync();

        Assert.Equal(1, pumped.DeadLettered);
        await TestEngine.AssertDeadLetteredAsync(_engine, QueueNames.CampaignTriggers, body, error);
        var rows = await TestEngine.QueryAsync(_engine, TableNames.Campaigns, "PartitionKey eq 'campaign'");
        Assert.DoesNotContain(rows, r => r.RowKey.StartsWith("bad-", StringComparison.Ordinal));
    }
}
