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
}
