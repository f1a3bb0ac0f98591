using Azure.Data.Tables;
using Engagement.Content;

namespace Engagement.IntegrationTests.Content;

/// <summary>The catalogue on Azurite: import, re-import in place, a bad file writes nothing, the active window.</summary>
public sealed class ContentStoreTests : IAsyncLifetime
{
    private const string Header = "id,title,body,deep_link,categories,tags,language,active_from,active_until,priority";

    private LocalEngine _engine = null!;

    private ContentCatalogueImport Import => _engine.Get<ContentCatalogueImport>();

    private ContentStore Store => _engine.Get<ContentStore>();

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync();

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private Task<ContentImportReport> CsvAsync(params string[] rows) =>
        Import.ImportAsync(string.Join('\n', rows.Prepend(Header)), ContentFileFormat.Csv, TestEngine.Deadline());

    private async Task<List<TableEntity>> RowsAsync() => await TestEngine.QueryAsync(_engine, TableNames.Content, "");

    [Fact]
    public async Task Import_ThenReimport_UpdatesItemsInPlace()
    {
        var first = await CsvAsync(
            "recipe-1,Protein bowl,Ten minutes,app://content/recipe-1,fitness;food,recipe,zh-CN,2026-12-01,2026-12-31,10",
            "run-1,Running in winter,,app://content/run-1,fitness,,en,2026-12-01T09:30:00+08:00,,");

        Assert.Equal(new ContentUpsert(2, 0), first.Written);
        var stored = await Store.ListAsync(TestEngine.Deadline());
        Assert.Equal(["recipe-1", "run-1"], stored.Select(i => i.Id));
        var recipe = stored[0];
        Assert.Equal(("Protein bowl", "Ten minutes", "app://content/recipe-1", "zh-CN", 10), (recipe.Title, recipe.Body, recipe.DeepLink, recipe.Language, recipe.Priority));
        Assert.Equal(["fitness", "food"], recipe.Categories);
        Assert.Equal(["recipe"], recipe.Tags);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero), recipe.ActiveFrom);
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 16, 0, 0, TimeSpan.Zero), recipe.ActiveUntil);
        Assert.Null(stored[1].ActiveUntil);

        // the same id again: a new title, no end, no tags, another priority; and one new item
        var second = await CsvAsync(
            "recipe-1,Protein bowl (new),Ten minutes,app://content/recipe-1,food,,zh-CN,2026-12-01,,3",
            "tea-1,Tea,,app://content/tea-1,food,,en,2026-12-01,,");

        Assert.Equal(new ContentUpsert(1, 1), second.Written);
        Assert.Equal(3, (await RowsAsync()).Count);
        var updated = (await Store.ListAsync(TestEngine.Deadline())).Single(i => i.Id == "recipe-1");
        Assert.Equal(("Protein bowl (new)", 3, (DateTimeOffset?)null), (updated.Title, updated.Priority, updated.ActiveUntil));
        Assert.Equal(["food"], updated.Categories);
        Assert.Empty(updated.Tags);
    }

    [Fact]
    public async Task Import_AFileWithOneBadRow_WritesNothing()
    {
        await CsvAsync("keep-1,Kept,,app://k,fitness,,en,2026-12-01,,1");
        var before = (await RowsAsync()).Single();

        var report = await CsvAsync(
            "keep-1,Changed,,app://k,fitness,,en,2026-12-01,,2",
            "new-1,New,,app://n,fitness,,en,2026-12-01,,",
            "bad-1,Bad,,app://b,fitness,,fr,2026-12-01,,");

        Assert.Null(report.Written);
        Assert.Equal(4, report.File.BadRows.Single().Line);
        var after = Assert.Single(await RowsAsync());
        Assert.Equal(before.ETag, after.ETag); // not even rewritten with the same values
        Assert.Equal("Kept", after.GetString("Title"));
    }

    [Fact]
    public async Task Import_AFileWithBadColumns_CreatesNoRow()
    {
        var report = await Import.ImportAsync("id,titel\na1,T\n", ContentFileFormat.Csv, TestEngine.Deadline());

        Assert.Null(report.Written);
        Assert.NotEmpty(report.File.FileErrors);
        Assert.Empty(await RowsAsync());
    }

    [Fact]
    public async Task ActiveAsync_LeavesOutItemsPastOrBeforeTheirWindow()
    {
        // windows in Shanghai (UTC+8); "at" is 2026-12-10 12:00 there
        await CsvAsync(
            "past,Past,,app://p,fit,,en,2026-11-01,2026-12-09,",
            "ended-at,Ends at noon,,app://e,fit,,en,2026-11-01,2026-12-10T12:00:00+08:00,",
            "running,Running,,app://r,fit,,en,2026-12-01,2026-12-31,",
            "open,Open,,app://o,fit,,en,2026-12-01,,",
            "starts-at,Starts at noon,,app://s,fit,,en,2026-12-10T04:00:00Z,,",
            "future,Future,,app://f,fit,,en,2026-12-11,,");
        var at = new DateTimeOffset(2026, 12, 10, 12, 0, 0, TimeSpan.FromHours(8));

        var active = await Store.ActiveAsync(at, TestEngine.Deadline());

        // from is inclusive, until exclusive
        Assert.Equal(["open", "running", "starts-at"], active.Select(i => i.Id));
        Assert.Equal(6, (await Store.ListAsync(TestEngine.Deadline())).Count);
    }

    [Fact]
    public async Task UpsertAsync_MoreThanOneTransaction_WritesEveryItem()
    {
        var from = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var items = Enumerable.Range(0, 250)
            .Select(i => new ContentItem($"item-{i:D3}", $"Item {i}", "", $"app://content/{i}", ["fit"], [], "en", from, null, i % 7)).ToList();

        var written = await Store.UpsertAsync(items, TestEngine.Deadline());
        var again = await Store.UpsertAsync(items[..120], TestEngine.Deadline());

        Assert.Equal(new ContentUpsert(250, 0), written);
        Assert.Equal(new ContentUpsert(0, 120), again);
        var listed = await Store.ListAsync(TestEngine.Deadline());
        Assert.Equal(items.Select(i => (i.Id, i.Priority)), listed.Select(i => (i.Id, i.Priority)));
    }

    [Fact]
    public async Task UpsertAsync_AnIdGivenTwice_IsRefusedBeforeAnyWrite()
    {
        var from = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        ContentItem Item(string id) => new(id, "T", "", "app://x", ["fit"], [], "en", from, null, 0);

        await Assert.ThrowsAsync<ArgumentException>(() => Store.UpsertAsync([Item("a"), Item("b"), Item("a")], TestEngine.Deadline()));
        Assert.Empty(await RowsAsync());
    }
}
