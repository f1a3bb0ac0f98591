using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Ingest;

namespace Engagement.Tests.Activity;

public class IngestBatchingTests
{
    private static TableTransactionAction User(int i, int bytesPerColumn) =>
        new(TableTransactionActionType.UpdateMerge, new TableEntity("s00", $"u{i}")
        {
            ["Purchases"] = new byte[bytesPerColumn],
            ["SeenIds"] = new byte[bytesPerColumn],
            ["Categories"] = "books,games",
        });

    [Fact]
    public void SizedBatches_TypicalUsers_OneTransaction()
    {
        var actions = Enumerable.Range(0, 100).Select(i => User(i, 2_000)).ToList();

        var batch = Assert.Single(ActivityIngestHandler.SizedBatches(actions));

        Assert.Equal(actions, batch);
    }

    [Fact]
    public void SizedBatches_HundredUsersWithFullColumns_SplitUnderFourMiB_InOrder()
    {
        var actions = Enumerable.Range(0, 100).Select(i => User(i, 64 * 1024)).ToList();

        var batches = ActivityIngestHandler.SizedBatches(actions).ToList();

        Assert.True(batches.Count > 1);
        Assert.Equal(actions, batches.SelectMany(b => b));
        // two base64 columns per user: the request stays well below Azure's 4 MiB
        Assert.All(batches, b => Assert.True(b.Count * 2 * (64 * 1024 * 4 / 3) < 4 * 1024 * 1024, $"{b.Count} users in one transaction"));
    }
}
