using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.IntegrationTests.Tables;

/// <summary>Many row keys of a partition read by key range on Azurite: a dense batch costs a page, a sparse one stops at its budget and point-reads the rest.</summary>
public sealed class KeyedRowsReaderTests : IAsyncLifetime
{
    private const int Rows = 3000;
    private LocalEngine _engine = null!;
    private TableClient _table = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync();
        _table = await _engine.Get<StorageClients>().TableAsync("keyedrows", TestEngine.Deadline());
        foreach (var chunk in Enumerable.Range(0, Rows).Chunk(100))
        {
            await _table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", Key(i)) { ["N"] = i, ["Other"] = "x" })), TestEngine.Deadline());
        }
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static string Key(int i) => $"k{i:D5}";

    private static async Task<(IReadOnlyList<TableEntity> Rows, long Requests)> ReadAsync(TableClient table, IEnumerable<string> keys, IReadOnlyList<string>? select = null)
    {
        using var scope = StorageRequestCounter.BeginScope();
        var rows = await KeyedRowsReader.ReadAsync(table, "p", keys, select, TestEngine.Deadline());
        return (rows, scope.Count);
    }

    [Fact]
    public async Task ADenseBatch_OnePage_EveryRowInKeyOrder_OnlyTheSelectedColumns()
    {
        // 200 keys over 400 rows, given out of order and with a repeat
        var keys = Enumerable.Range(500, 200).Select(i => Key(1000 + (2 * i % 400))).Append(Key(1002)).ToList();

        var (rows, requests) = await ReadAsync(_table, keys, ["N"]);

        Assert.Equal(1, requests);
        Assert.Equal(keys.Distinct().Order(StringComparer.Ordinal), rows.Select(r => r.RowKey));
        Assert.All(rows, r => Assert.Equal(int.Parse(r.RowKey[1..], System.Globalization.CultureInfo.InvariantCulture), r.GetInt32("N")));
        Assert.All(rows, r => Assert.False(r.ContainsKey("Other")));
    }

    /// <summary>
    /// 60 keys, one in 50 rows, spread over 3,000, and a missing one: unnarrowed, one page reaches the first 20 and the other
    /// 40 are read by key.
    /// Narrowed to a condition 57 of them and 40 other rows meet (a tier), one page returns those 97 rows, and only the
    /// three wanted rows that do not meet it, and the missing key, are read by key; every wanted row comes back.
    /// </summary>
    [Fact]
    public async Task ANarrowedRange_ReturnsTheRowsMeetingTheCondition_AndReadsTheOtherWantedRowsByKey()
    {
        var wanted = Enumerable.Range(0, 60).Select(i => i * 50).ToList();
        var others = Enumerable.Range(0, 40).Select(i => (i * 73) + 7).ToList(); // none a multiple of 50 (that would take i = 41)
        var left = new[] { wanted[2], wanted[30], wanted[59] };
        foreach (var chunk in wanted.Except(left).Concat(others).Chunk(100))
        {
            await _table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity("p", Key(i)) { ["Tier"] = "potential" })), TestEngine.Deadline());
        }

        var keys = wanted.Select(Key).Append("k00001x").ToList();
        var (plain, plainRequests) = await ReadAsync(_table, keys, ["N"]);
        using var scope = StorageRequestCounter.BeginScope();
        var narrowed = await KeyedRowsReader.ReadAsync(_table, "p", keys, ["N"], TestEngine.Deadline(), narrowTo: "Tier eq 'potential'");

        Assert.Equal(wanted.Select(Key), narrowed.Select(r => r.RowKey));
        Assert.Equal(wanted, narrowed.Select(r => r.GetInt32("N")!.Value));
        Assert.Equal(plain.Select(r => r.RowKey), narrowed.Select(r => r.RowKey));
        // unnarrowed, the missing key sorts within the first page's reach (absent, no read); narrowed, it is read by key
        Assert.Equal((1 + 40, 1 + 3 + 1), (plainRequests, scope.Count));
    }

    [Fact]
    public async Task ASparseBatch_StopsAtItsPageBudget_AndPointReadsTheKeysNotReached_MissingKeysAbsent()
    {
        // 50 keys, one in 60 rows, and two that are not there: a page of 1000 rows holds ~17 of them
        var present = Enumerable.Range(0, 50).Select(i => Key(i * 60)).ToList();
        var keys = present.Append("k00001x").Append("k99999").ToList();

        var (rows, requests) = await ReadAsync(_table, keys);

        Assert.Equal(present, rows.Select(r => r.RowKey));
        // one page (the budget for 52 keys), then a point read for each key past it: 50 - 17 reached, plus "k99999"
        Assert.Equal(1 + (50 - 17) + 1, requests);
    }

    [Fact]
    public async Task AFewKeys_PointReads()
    {
        var keys = new[] { Key(5), Key(2500), "k-none" };

        var (rows, requests) = await ReadAsync(_table, keys);

        Assert.Equal([Key(2500), Key(5)], rows.Select(r => r.RowKey).OrderDescending(StringComparer.Ordinal));
        Assert.Equal(3, requests);
    }
}
