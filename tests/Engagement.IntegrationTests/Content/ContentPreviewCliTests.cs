using Engagement.Activity;
using Engagement.Content;
using Engagement.IntegrationTests.Cli;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.IntegrationTests.Content;

/// <summary>`engage content preview USER_ID` as an operator runs it (a child process, the real clock): the pick, why, the repeats excluded; nothing written.</summary>
public sealed class ContentPreviewCliTests : CliAgainstEngine
{
    [Fact]
    public async Task Preview_ShowsThePickTheInterestAndTheRepeatExcluded_AndWritesNothing()
    {
        var now = DateTimeOffset.UtcNow;
        ContentItem Item(string id, int priority, string category) =>
            new(id, "title " + id, "body", "app://content/" + id, [category], [], "en", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), null, priority);
        await Engine.Get<ContentStore>().UpsertAsync([Item("fit-a", 1, "fitness"), Item("fit-b", 1, "fitness"), Item("toy-ad", 9, "toys")], TestEngine.Deadline());
        await Population.SeedRecipientsAsync(Engine, [("cli-1", new UserProfile { TimeZone = "Asia/Shanghai", ConsentInApp = true, Source = "test" }, "regular")]);
        var interests = InterestProfile.Empty.Add(ActivityType.Purchase, "fitness", now.AddDays(-1), new ContentPickOptions()).Format();
        var sent = ContentSentText.Format([new ContentSend("fit-a", now.AddDays(-7))]);
        var table = await Engine.Get<StorageClients>().TableAsync(TableNames.Users);
        await table.UpdateEntityAsync(
            new Azure.Data.Tables.TableEntity(Engine.Get<UserShards>().Of("cli-1"), "cli-1") { [UserEntity.InterestWeights] = interests, [UserEntity.ContentSent] = sent },
            Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);

        var (code, output) = await RunAsync("content", "preview", "cli-1");
        var (unknown, unknownOutput) = await RunAsync("content", "preview", "nobody");

        Assert.Equal(0, code);
        Assert.Contains("pick now: fit-b (interest): matches your strongest interest 'fitness'", output, StringComparison.Ordinal);
        Assert.Contains("interests (now, heaviest first): fitness 4.", output, StringComparison.Ordinal);
        Assert.Contains("excluded as repeats (sent within the window): fit-a", output, StringComparison.Ordinal);
        Assert.Equal(1, unknown);
        Assert.Contains("no user 'nobody'", unknownOutput, StringComparison.Ordinal);
        var row = (await Engine.Get<UserStore>().ColumnsOfAsync(["cli-1"], [UserEntity.ContentSent], TestEngine.Deadline()))["cli-1"];
        Assert.Equal(sent, row.GetString(UserEntity.ContentSent));
        Assert.Empty(await TestEngine.QueryAsync(Engine, TableNames.ContentRuns, ""));
    }
}
