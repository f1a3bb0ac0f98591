using Engagement.Activity;
using Engagement.Content;
using Engagement.Delivery;
using Engagement.IntegrationTests.Cli;
using Engagement.Interactions;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.IntegrationTests.Content;

/// <summary>`engage playbook status content` as an operator runs it (a child process, the real clock): this week's run with its numbers, and per category.</summary>
public sealed class ContentStatusCliTests : CliAgainstEngine
{
    [Fact]
    public async Task Status_PrintsTheRunsNumbers_TheDifferenceWithItsInterval_AndPerCategory()
    {
        var run = Engine.Get<ContentWeeklyRun>().Schedule.Latest(DateTimeOffset.UtcNow)!;
        var at = run.At;
        var shards = Engine.Get<UserShards>();
        ContentRunPick Pick(string user, string item, string category, bool held = false) =>
            new(user, item, [category], ContentPickBasis.Interest, "", 1, held, held ? null : ContentTrigger.CampaignId(run.RunId, item, 0));
        ContentRunPick[] picks =
        [
            Pick("st-1", "fit-1", "fitness"), Pick("st-2", "fit-1", "fitness"), Pick("st-3", "cake", "recipes"), Pick("st-4", "cake", "recipes"),
            Pick("st-h1", "fit-1", "fitness", held: true), Pick("st-h2", "cake", "recipes", held: true),
        ];
        await Engine.Get<ContentRunStore>().SetHeaderAsync(new ContentRunHeader(run.RunId, at, ContentRunStates.Done, 4, 2, 0, 2), TestEngine.Deadline());
        await Engine.Get<ContentRunStore>().RecordAsync(run.RunId, picks, TestEngine.Deadline());
        foreach (var p in picks.Where(p => !p.HeldOut))
        {
            var key = new DeliveryKey(p.CampaignId!, p.UserId, Channels.Push, 1);
            await Engine.Get<DeliveryLedger>().PlanAsync(shards.Of(p.UserId), [(key, DeliveryStates.Accepted, null)], TestEngine.Deadline());
        }

        async Task Seen(string user, string item, string category, ContentAction action) =>
            await Engine.Get<ContentInteractionStore>().RecordAsync(
                new ContentInteractionSeen(user, item, "d-" + user, ContentTrigger.CampaignId(run.RunId, item, 0), [category], action, at.AddHours(1)), TestEngine.Deadline());
        await Seen("st-1", "fit-1", "fitness", ContentAction.Open);
        await Seen("st-1", "fit-1", "fitness", ContentAction.Click);
        await Seen("st-2", "fit-1", "fitness", ContentAction.Open);
        await Seen("st-3", "cake", "recipes", ContentAction.Click);
        var table = await Engine.Get<StorageClients>().TableAsync(TableNames.Users);
        await table.UpsertEntityAsync(
            new Azure.Data.Tables.TableEntity(shards.Of("st-h1"), "st-h1") { [UserEntity.RecentInteractions] = RecentInteractions.Empty.Add(Engine.Get<ActivityCalendar>().DateOf(at), "fitness").Format() },
            Azure.Data.Tables.TableUpdateMode.Merge);

        var (code, output) = await RunAsync("playbook", "status", "content", "--periods", "2");

        Assert.Equal(0, code);
        var line = Assert.Single(output.Split('\n'), l => l.Contains(run.RunId + " ", StringComparison.Ordinal) && l.Contains("75.0% (3/4)", StringComparison.Ordinal));
        Assert.Contains("50.0% (1/2)", line, StringComparison.Ordinal); // the holdout's organic rate
        Assert.Contains("+25.0 pts [", line, StringComparison.Ordinal);
        Assert.Matches(@"\b4\s*│\s*2\s*│\s*4\s*│\s*3\s*│\s*2\s*│", line); // picked, held out, sent, opened, clicked
        Assert.Contains(output.Split('\n'), l => l.Contains("fitness", StringComparison.Ordinal) && l.Contains("100.0% (2/2)", StringComparison.Ordinal) && l.Contains("100.0% (1/1)", StringComparison.Ordinal));
        Assert.Contains(output.Split('\n'), l => l.Contains("recipes", StringComparison.Ordinal) && l.Contains("50.0% (1/2)", StringComparison.Ordinal) && l.Contains("0.0% (0/1)", StringComparison.Ordinal));
    }
}
