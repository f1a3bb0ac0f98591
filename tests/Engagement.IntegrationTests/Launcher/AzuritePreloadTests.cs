using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Engagement.Local.Azurite;

namespace Engagement.IntegrationTests.Launcher;

/// <summary>
/// eng/azurite-preload.js changes how Azurite finds rows (look-ups walk the narrower key index, queries
/// that require one PartitionKey start from its index range, merges keep a row's index place). It must
/// not change a single answer: every query here is checked against the same rows filtered in memory,
/// page by page, before and after merges, replacements and deletes, with RowKeys repeated across
/// partitions (the case where the RowKey index alone is not enough).
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

    private sealed record Row(string Partition, string RowKey, int Value);

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

    private static TableEntity Entity(Row r) => new(r.Partition, r.RowKey) { ["Value"] = r.Value };
}
