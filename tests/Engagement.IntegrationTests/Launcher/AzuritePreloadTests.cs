using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Engagement.Local.Azurite;

namespace Engagement.IntegrationTests.Launcher;

/// <summary>
/// eng/azurite-preload.js changes how Azurite finds rows (look-ups walk the narrower key index, queries
/// that require one PartitionKey start from its index range, or from its rows in a RowKey range when the
/// filter bounds the RowKey, merges keep a row's index place). It must not change a single answer: every
/// query here is checked against the same rows filtered in memory, page by page, before and after merges,
/// replacements and deletes, with RowKeys repeated across partitions (the case where the RowKey index
/// alone is not enough) and RowKeys LokiJS compares as numbers (its index puts them first, by number).
/// </summary>
public sealed class AzuritePreloadTests
{
    private static readonly string[] Partitions = ["p0", "p1", "p2", "p3", "p4", "p5"];

    // filters the preload narrows (a PartitionKey equality in the top-level 'and' chain) and filters it must leave alone
    private static readonly (string Filter, Func<Row, bool> Expected)[] Filters =
    [
        ("PartitionKey eq 'p2'", r => r.Partition == "p2"),
        ("PartitionKey eq 'p2' and Value ge 50", r => r.Partition == "p2" && r.Value >= 50),
        ("Value lt 30 and (RowKey ge 'k' and PartitionKey eq 'p4')", r => r.Value < 30 && string.CompareOrdinal(r.RowKey, "k") >= 0 && r.Partition == "p4"),
        ("PartitionKey eq 'p1' and RowKey eq 'r07'", r => r.Partition == "p1" && r.RowKey == "r07"),
        ("PartitionKey eq 'p2' or RowKey eq 'r03'", r => r.Partition == "p2" || r.RowKey == "r03"),
        ("PartitionKey eq 'p2' and Value ge 50 or PartitionKey eq 'p5'", r => (r.Partition == "p2" && r.Value >= 50) || r.Partition == "p5"),
        ("not (PartitionKey eq 'p2')", r => r.Partition != "p2"),
        ("PartitionKey eq 'nowhere'", _ => false),
        ("RowKey eq 'r05'", r => r.RowKey == "r05"),
        ("Value ge 90", r => r.Value >= 90),
    ];

    // RowKey bounds in the same 'and' chain as the PartitionKey narrow further (from the RowKey index when its range is
    // the smaller: a few shared keys); bounds under 'or' or 'not', or without a PartitionKey, must not
    private static readonly (string Filter, Func<Row, bool> Expected)[] RangeFilters =
    [
        ("PartitionKey eq 'p2' and RowKey ge 'r10' and RowKey le 'r14'", r => r.Partition == "p2" && Between(r.RowKey, "r10", "r14")),
        ("PartitionKey eq 'p2' and RowKey gt 'r10' and RowKey lt 'r14'", r => r.Partition == "p2" && Cmp(r.RowKey, "r10") > 0 && Cmp(r.RowKey, "r14") < 0),
        ("PartitionKey eq 'p3' and RowKey ge 'r35'", r => r.Partition == "p3" && Cmp(r.RowKey, "r35") >= 0),
        ("PartitionKey eq 'p3' and RowKey lt 'p3-u05'", r => r.Partition == "p3" && Cmp(r.RowKey, "p3-u05") < 0),
        ("PartitionKey eq 'p3' and RowKey gt 'r38'", r => r.Partition == "p3" && Cmp(r.RowKey, "r38") > 0),
        ("'r20' le RowKey and PartitionKey eq 'p4' and 'r25' gt RowKey", r => r.Partition == "p4" && Cmp(r.RowKey, "r20") >= 0 && Cmp(r.RowKey, "r25") < 0),
        ("'p4' eq PartitionKey and 'r31' lt RowKey and 'r33' ge RowKey", r => r.Partition == "p4" && Cmp(r.RowKey, "r31") > 0 && Cmp(r.RowKey, "r33") <= 0),
        ("PartitionKey eq 'p1' and (RowKey ge 'r30' or Value lt 20)", r => r.Partition == "p1" && (Cmp(r.RowKey, "r30") >= 0 || r.Value < 20)),
        ("PartitionKey eq 'p1' and not (RowKey lt 'r30')", r => r.Partition == "p1" && Cmp(r.RowKey, "r30") >= 0),
        ("PartitionKey eq 'p1' and RowKey ge 'r05' and (RowKey le 'r08' or RowKey gt 'r36')", r => r.Partition == "p1" && Cmp(r.RowKey, "r05") >= 0 && (Cmp(r.RowKey, "r08") <= 0 || Cmp(r.RowKey, "r36") > 0)),
        ("PartitionKey eq 'p5' and RowKey ge 'p5-u' and RowKey lt 'p5-v' and Value ge 40", r => r.Partition == "p5" && r.RowKey.StartsWith("p5-u", StringComparison.Ordinal) && r.Value >= 40),
        ("PartitionKey eq 'p1' and RowKey ge 'p1-u20' and RowKey le 'r03'", r => r.Partition == "p1" && Between(r.RowKey, "p1-u20", "r03")),
        ("PartitionKey eq 'p2' and RowKey ge 'r00' and RowKey ge 'r12' and RowKey le 'r30' and RowKey lt 'r18'", r => r.Partition == "p2" && Cmp(r.RowKey, "r12") >= 0 && Cmp(r.RowKey, "r18") < 0),
        ("PartitionKey eq 'p2' and RowKey ge 'r12' and RowKey gt 'r12' and RowKey le 'r15'", r => r.Partition == "p2" && Cmp(r.RowKey, "r12") > 0 && Cmp(r.RowKey, "r15") <= 0),
        ("PartitionKey eq 'p2' and RowKey eq 'r07' and RowKey ge 'r00'", r => r.Partition == "p2" && r.RowKey == "r07"),
        ("PartitionKey eq 'p0' and RowKey ge 'r20' and RowKey le 'r10'", _ => false),
        ("PartitionKey eq 'p0' and RowKey gt 'r05' and RowKey lt 'r06'", _ => false),
        ("PartitionKey eq 'p0' and RowKey gt 'zzz'", _ => false),
        ("PartitionKey eq 'nowhere' and RowKey ge 'r10' and RowKey le 'r14'", _ => false),
        ("RowKey ge 'r10' and RowKey le 'r12'", r => Between(r.RowKey, "r10", "r12")),
        ("PartitionKey eq 'p3' and RowKey ge 'r10' and RowKey le 'r13' or PartitionKey eq 'p5' and RowKey le 'r02'", r => (r.Partition == "p3" && Between(r.RowKey, "r10", "r13")) || (r.Partition == "p5" && Cmp(r.RowKey, "r02") <= 0)),
    ];

    private sealed record Row(string Partition, string RowKey, int Value);

    private static int Cmp(string a, string b) => string.CompareOrdinal(a, b);

    private static bool Between(string key, string low, string high) => Cmp(key, low) >= 0 && Cmp(key, high) <= 0;

    [Fact]
    public async Task Queries_And_PointReads_AnswerAsTheRowsSay_ThroughMergesReplacesAndDeletes()
    {
        await using var azurite = await AzuriteLauncher.StartAsync();
        var table = new TableClient(azurite.ConnectionString, "preload");
        await table.CreateIfNotExistsAsync();
        var rng = new Random(20261130);

        // RowKeys r00..r39 in every partition (a shared RowKey), plus keys unique to one partition
        var rows = new Dictionary<(string, string), Row>();
        foreach (var p in Partitions)
        {
            foreach (var key in Enumerable.Range(0, 40).Select(i => $"r{i:D2}").Concat(Enumerable.Range(0, 25).Select(i => $"{p}-u{i:D2}")))
            {
                rows[(p, key)] = new Row(p, key, rng.Next(0, 100));
            }

            await table.SubmitTransactionAsync(rows.Values.Where(r => r.Partition == p).Select(r => new TableTransactionAction(TableTransactionActionType.Add, Entity(r))));
        }

        await AssertAnswersAsync(table, rows.Values);

        // merges (LokiJS update), replacements (remove + insert), deletes and inserts
        foreach (var row in rows.Values.ToList())
        {
            var roll = rng.Next(0, 10);
            var changed = row with { Value = rng.Next(0, 100) };
            if (roll < 4)
            {
                await table.UpdateEntityAsync(Entity(changed), ETag.All, TableUpdateMode.Merge);
                rows[(row.Partition, row.RowKey)] = changed;
            }
            else if (roll < 6)
            {
                await table.UpsertEntityAsync(Entity(changed), TableUpdateMode.Replace);
                rows[(row.Partition, row.RowKey)] = changed;
            }
            else if (roll < 7)
            {
                await table.DeleteEntityAsync(row.Partition, row.RowKey);
                rows.Remove((row.Partition, row.RowKey));
            }
        }

        foreach (var p in Partitions)
        {
            var added = new Row(p, $"a-{p}-new", rng.Next(0, 100));
            await table.AddEntityAsync(Entity(added));
            rows[(p, added.RowKey)] = added;
        }

        await AssertAnswersAsync(table, rows.Values);
    }

    [Fact]
    public async Task RowKeyRanges_AnswerAsTheRowsSay_WithKeysLokiJsComparesAsNumbers()
    {
        // LokiJS orders its RowKey index with number-like strings first, by number ('10' before 'a', '9' before '10',
        // 'Infinity' before '0x1f'), while the table service and Azurite's filter compare strings by code unit
        await using var azurite = await AzuriteLauncher.StartAsync();
        var table = new TableClient(azurite.ConnectionString, "preloadnumbers");
        await table.CreateIfNotExistsAsync();
        string[] numberLike = ["0", "01", "1", "5", "9", "10", "100", "1e3", " 5", "-5", "+5", "0x1f", ".5", "Infinity", "-Infinity"];
        string[] plain = ["I", "Inf", "Infinite", "J", "NaN", "a", "b", "x1", "z", .. Enumerable.Range(0, 40).Select(i => $"k{i:D2}")];
        var rows = new List<Row>();
        var value = 0;
        foreach (var p in new[] { "n0", "n1", "n2", "n3" })
        {
            var mine = numberLike.Concat(plain).Select(k => new Row(p, k, value++ % 100)).ToList();
            await table.SubmitTransactionAsync(mine.Select(r => new TableTransactionAction(TableTransactionActionType.Add, Entity(r))));
            rows.AddRange(mine);
        }

        var all = rows.OrderBy(r => r.Partition, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal).ToList();
        (string Low, string High)[] ranges = [("0", "5"), ("1", "9"), ("I", "J"), ("+", "1"), (" ", "0"), ("-", "."), ("10", "a"), ("5", "k05"), ("Inf", "Infinity"), ("k10", "k12"), ("0x", "0y"), ("", "~")];
        foreach (var (low, high) in ranges)
        {
            foreach (var (filter, expected) in new (string, Func<Row, bool>)[]
            {
                ($"PartitionKey eq 'n2' and RowKey ge '{low}' and RowKey le '{high}'", r => r.Partition == "n2" && Between(r.RowKey, low, high)),
                ($"PartitionKey eq 'n1' and RowKey gt '{low}' and RowKey lt '{high}'", r => r.Partition == "n1" && Cmp(r.RowKey, low) > 0 && Cmp(r.RowKey, high) < 0),
                ($"PartitionKey eq 'n3' and RowKey ge '{low}'", r => r.Partition == "n3" && Cmp(r.RowKey, low) >= 0),
                ($"PartitionKey eq 'n0' and '{high}' gt RowKey", r => r.Partition == "n0" && Cmp(r.RowKey, high) < 0),
            })
            {
                await AssertPagesAsync(table, filter, all.Where(expected).ToList(), 3);
            }
        }
    }

    [Fact]
    public async Task Preload_FindsEverythingItPatches_InThePinnedAzurite()
    {
        // the preload says "unpatched" on stderr when Azurite or LokiJS changed under it
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "eng", "azurite-preload.js")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no eng/azurite-preload.js above the test's folder");
        }

        var psi = new ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--require", Path.Combine(root, "eng", "azurite-preload.js"), "-e", "process.exit(0)" })
        {
            psi.ArgumentList.Add(arg);
        }

        using var node = Process.Start(psi)!;
        var stderr = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.Equal(0, node.ExitCode);
        Assert.Equal("", stderr.Trim());
    }

    private static async Task AssertAnswersAsync(TableClient table, IEnumerable<Row> stored)
    {
        var all = stored.OrderBy(r => r.Partition, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal).ToList();
        foreach (var (filter, expected) in Filters)
        {
            // small pages, so continuation tokens inside and across partitions are exercised
            var got = new List<Row>();
            await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 7))
            {
                got.Add(new Row(e.PartitionKey, e.RowKey, e.GetInt32("Value")!.Value));
            }

            Assert.True(all.Where(expected).SequenceEqual(got), $"{filter}: expected {all.Count(expected)} rows, got {got.Count}");
        }

        foreach (var (filter, expected) in RangeFilters)
        {
            foreach (var pageSize in new[] { 3, 1000 })
            {
                await AssertPagesAsync(table, filter, all.Where(expected).ToList(), pageSize);
            }
        }

        foreach (var row in all)
        {
            var read = await table.GetEntityAsync<TableEntity>(row.Partition, row.RowKey);
            Assert.Equal(row.Value, read.Value.GetInt32("Value"));
        }

        foreach (var missing in new[] { ("p0", "p1-u00"), ("p9", "r01"), ("p3", "zzz") })
        {
            Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(missing.Item1, missing.Item2)).HasValue, $"{missing} should not exist");
        }
    }

    /// <summary>
    /// The pages Azurite gives without the preload: full pages of <paramref name="pageSize"/> in key order, a continuation
    /// after each but the last, one empty page for no rows.
    /// </summary>
    private static async Task AssertPagesAsync(TableClient table, string filter, IReadOnlyList<Row> expected, int pageSize)
    {
        var pages = new List<Page<TableEntity>>();
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize).AsPages())
        {
            pages.Add(page);
        }

        var wanted = expected.Chunk(pageSize).ToList();
        Assert.True(Math.Max(1, wanted.Count) == pages.Count, $"{filter} (pages of {pageSize}): expected {Math.Max(1, wanted.Count)} pages, got {pages.Count}");
        for (var i = 0; i < pages.Count; i++)
        {
            var got = pages[i].Values.Select(e => new Row(e.PartitionKey, e.RowKey, e.GetInt32("Value")!.Value)).ToList();
            Assert.True((i < wanted.Count ? wanted[i] : []).SequenceEqual(got), $"{filter} (pages of {pageSize}): page {i} differs");
            Assert.True((i < pages.Count - 1) == (pages[i].ContinuationToken is not null), $"{filter} (pages of {pageSize}): page {i} continuation");
        }
    }

    private static TableEntity Entity(Row r) => new(r.Partition, r.RowKey) { ["Value"] = r.Value };
}
