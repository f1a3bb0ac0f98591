using Engagement.IntegrationTests.Cli;
using Engagement.Interactions;

namespace Engagement.IntegrationTests.Interactions;

/// <summary>`engage inbox USER_ID --read CAMPAIGN_ID` as an operator runs it (a child process, the real clock).</summary>
public sealed class InboxReadCliTests : CliAgainstEngine
{
    [Fact]
    public async Task Read_AContentCampaignsMessage_MarksItReadAndCountsOneOpen_AgainCountsNothingMore_AnUnknownCampaignFails()
    {
        var (campaignId, item, deliveries) = await ContentCampaign.RunAsync(Engine, "cli-read", DateTimeOffset.UtcNow);

        var (first, firstOutput) = await RunAsync("inbox", "cli-read-u1", "--read", campaignId);
        var row = await Engine.Get<ContentInteractionStore>().FindAsync("cli-read-u1", item, TestEngine.Deadline());
        var (again, againOutput) = await RunAsync("inbox", "cli-read-u1", "--read", campaignId);
        var (unknown, unknownOutput) = await RunAsync("inbox", "cli-read-u1", "--read", "content-none");

        Assert.True(first == 0, firstOutput);
        Assert.Contains($"Marked 1 message(s) of {campaignId} read.", firstOutput, StringComparison.Ordinal);
        Assert.Contains("yes", firstOutput, StringComparison.Ordinal);
        Assert.Equal((deliveries["cli-read-u1"], (DateTimeOffset?)null), (row!.DeliveryId, row.FirstClickedAt));
        Assert.True(again == 0, againOutput);
        Assert.Equal(row.FirstOpenedAt, (await Engine.Get<ContentInteractionStore>().FindAsync("cli-read-u1", item, TestEngine.Deadline()))!.FirstOpenedAt);
        Assert.Single(await Engine.Get<ContentInteractionStore>().OfCampaignAsync(campaignId, TestEngine.Deadline()));
        Assert.Equal(1, unknown);
        Assert.Contains("cli-read-u1 has no message of campaign content-none", unknownOutput, StringComparison.Ordinal);
    }
}
