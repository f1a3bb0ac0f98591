using Azure;
using Azure.Data.Tables;
using Engagement.Local.Azurite;

namespace Engagement.IntegrationTests.Launcher;

/// <summary>
/// What the pinned Azurite does with If-Match inside a batch transaction (an older note said it ignored
/// it): a stale ETag on a merge or a replace fails the whole transaction with 412 and writes nothing, as
/// Azure does. The ingest's batch path and its retry test rest on this.
/// </summary>
public sealed class AzuriteBatchTests
{
    [Theory]
    [InlineData(TableTransactionActionType.UpdateMerge)]
    [InlineData(TableTransactionActionType.UpdateReplace)]
    public async Task StaleETagInsideABatch_FailsTheWholeTransaction(TableTransactionActionType update)
    {
        await using var azurite = await AzuriteLauncher.StartAsync();
        var table = new TableClient(azurite.ConnectionString, "batches");
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("p", "a") { ["Value"] = 1 });
        var stale = (await table.GetEntityAsync<TableEntity>("p", "a")).Value.ETag;
        await table.UpdateEntityAsync(new TableEntity("p", "a") { ["Value"] = 2 }, ETag.All, TableUpdateMode.Merge);

        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "b") { ["Value"] = 1 }),
            new TableTransactionAction(update, new TableEntity("p", "a") { ["Value"] = 3 }, stale),
        ]));

        Assert.Equal(412, ex.Status);
        Assert.Equal(2, (await table.GetEntityAsync<TableEntity>("p", "a")).Value.GetInt32("Value"));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "b")).HasValue);
    }
}
