using Azure;
using Azure.Data.Tables;

namespace Engagement.IntegrationTests.Points;

/// <summary>
/// PointsStore's concurrency rests on this: an entity-group transaction holding an UpdateReplace with a stale If-Match
/// fails whole (412), adds included. Older Azurite releases ignored If-Match inside batches.
/// </summary>
public sealed class BatchETagTests
{
    [Fact]
    public async Task AStaleETagInsideATransaction_FailsTheWholeTransaction()
    {
        await using var engine = await TestEngine.StartAsync();
        var table = await engine.Get<StorageClients>().TableAsync("etagprobe");
        await table.AddEntityAsync(new TableEntity("u1", "account") { ["Balance"] = 10L });
        var read = (await table.GetEntityAsync<TableEntity>("u1", "account")).Value;
        await table.UpdateEntityAsync(new TableEntity("u1", "account") { ["Balance"] = 20L }, read.ETag, TableUpdateMode.Replace); // moves the ETag on

        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("u1", "e|earn|x") { ["Points"] = 5L }),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("u1", "account") { ["Balance"] = 15L }, read.ETag),
        ]));

        Assert.Equal(412, ex.Status);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("u1", "e|earn|x")).HasValue);
        Assert.Equal(20L, (await table.GetEntityAsync<TableEntity>("u1", "account")).Value.GetInt64("Balance"));
    }

    /// <summary>PointsStore keeps the account with the ETag its action returned, without a read: the answer holds one response per action, in order, each with the row's new ETag.</summary>
    [Fact]
    public async Task ATransaction_AnswersEachAction_WithTheRowsNewETag_InTheOrderSubmitted()
    {
        await using var engine = await TestEngine.StartAsync();
        var table = await engine.Get<StorageClients>().TableAsync("etagprobe");

        var added = (await table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("u2", "e|earn|a") { ["Points"] = 5L }),
            new(TableTransactionActionType.Add, new TableEntity("u2", "account") { ["Balance"] = 5L }),
        ])).Value;
        var first = (await table.GetEntityAsync<TableEntity>("u2", "account")).Value.ETag;
        var replaced = (await table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("u2", "e|earn|b") { ["Points"] = 1L }),
            new(TableTransactionActionType.Add, new TableEntity("u2", "e|earn|c") { ["Points"] = 2L }),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("u2", "account") { ["Balance"] = 8L }, first),
        ])).Value;
        var second = (await table.GetEntityAsync<TableEntity>("u2", "account")).Value.ETag;

        Assert.Equal((2, 3), (added.Count, replaced.Count));
        Assert.Equal(first, added[^1].Headers.ETag);
        Assert.Equal(second, replaced[^1].Headers.ETag);
        Assert.NotEqual(first, second);
        Assert.Equal((await table.GetEntityAsync<TableEntity>("u2", "e|earn|b")).Value.ETag, replaced[0].Headers.ETag);
    }
}
