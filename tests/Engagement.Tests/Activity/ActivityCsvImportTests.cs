using Engagement.Activity;
using Engagement.Imports;
using Engagement.Ingest;
using Engagement.Tests.Storage;

namespace Engagement.Tests.Activity;

public class ActivityCsvImportTests
{
    private static Task<ImportReport> ImportAsync(UnreachableStorage storage, string csv) =>
        storage.Get<ActivityCsvImport>().ImportAsync(new StringReader(csv), null, CancellationToken.None);

    [Fact]
    public async Task ImportAsync_MisspelledCategoryColumn_RefusesTheFileBeforeAnyStorageRequest()
    {
        using var storage = new UnreachableStorage();

        var refused = await Assert.ThrowsAnyAsync<FormatException>(() => ImportAsync(storage,
            "event_id,user_id,type,amount,categroy,occurred_at\ne1,u1,interaction,,fitness,2026-03-01T08:00:00Z\n"));

        Assert.Contains("'categroy' (did you mean 'category'?)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("event_id,user_id,type,amount,category,occurred_at", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, storage.Requests);
    }

    [Fact]
    public async Task ImportAsync_UserIdColumnSpelledUserid_RefusesTheFileInsteadOfRejectingEveryRow()
    {
        using var storage = new UnreachableStorage();

        var refused = await Assert.ThrowsAnyAsync<FormatException>(() => ImportAsync(storage,
            "event_id,userid,type,occurred_at\ne1,u1,login,2026-03-01T08:00:00Z\n"));

        Assert.Contains("missing required column 'user_id'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'userid' (did you mean 'user_id'?)", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, storage.Requests);
    }

    [Fact]
    public async Task ImportAsync_BadRow_ListsTheFileLevelAndTheEventErrorsTogether()
    {
        using var storage = new UnreachableStorage();

        var report = await ImportAsync(storage, "event_id,user_id,type,amount,occurred_at\ne1,u1,refund,abc,2026-03-01T08:00:00Z\n");

        var (line, error) = Assert.Single(report.Rejected);
        Assert.Equal(2, line);
        Assert.Contains("amount 'abc' is not a number", error, StringComparison.Ordinal);
        Assert.Contains("unknown type 'refund'", error, StringComparison.Ordinal);
        Assert.Equal(0, storage.Requests);
    }

    [Fact]
    public async Task ImportAsync_PaddedIds_AreRefusedLikeOnTheQueue()
    {
        using var storage = new UnreachableStorage();

        var report = await ImportAsync(storage, "event_id,user_id,type,occurred_at\ne1, u1 ,login,2026-03-01T08:00:00Z\ne2 ,u1, login , 2026-03-01T08:00:00Z \n");

        Assert.Equal([(2, "userId has leading or trailing whitespace"), (3, "eventId has leading or trailing whitespace")], report.Rejected);
        Assert.Equal(0, storage.Requests);
    }

    [Fact]
    public async Task ImportAsync_ARowWithSeveralEventErrors_ListsEveryOne()
    {
        using var storage = new UnreachableStorage();

        var report = await ImportAsync(storage, "event_id,user_id,type,occurred_at\ne1,,purchase,2026-03-01T08:00:00\n");

        var (_, error) = Assert.Single(report.Rejected);
        Assert.Contains("userId ", error, StringComparison.Ordinal);
        Assert.Contains("a purchase needs an amount", error, StringComparison.Ordinal);
        Assert.Contains("has no UTC offset", error, StringComparison.Ordinal);
    }
}
