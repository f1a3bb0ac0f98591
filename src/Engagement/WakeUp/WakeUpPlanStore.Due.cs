using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.WakeUp;

/// <summary>
/// The due pointers (<c>due|{yyyyMMddHH}</c>: a step to look at in that UTC hour: to send it, or to close it once its
/// local day ends; each carries its kind, the step's times and task, see <see cref="WakeUpDue"/>) and the nights whose tier
/// transitions have started plans (<c>nights</c> / <c>yyyyMMdd</c>). Pointers are packed, many to a row
/// (docs/decisions.md, "Due pointers are packed"); rows of one pointer each (the earlier form) are still read and dropped.
/// </summary>
public sealed partial class WakeUpPlanStore
{
    private const string NightsPartition = "nights";

    private const string PointerKind = "Kind", PackItems = "Items";

    /// <summary>Pointers a pack row holds at most (about 120 bytes each in its binary column).</summary>
    private const int PackSize = 400;

    /// <summary>A binary column holds 64 KiB.</summary>
    private const int MaxPackBytes = 60_000;

    /// <summary>
    /// The due pointers of the UTC hours from <paramref name="from"/> to <paramref name="upTo"/> (both included), with what
    /// they carry; a packed pointer knows its pack (<see cref="WakeUpDue.Pack"/>), a single row its ETag.
    /// </summary>
    public async Task<IReadOnlyList<WakeUpDue>> DueAsync(DateTimeOffset from, DateTimeOffset upTo, CancellationToken ct)
    {
        // one query per shard table over the hours' partition keys (due|yyyyMMddHH sorts by time)
        var due = new System.Collections.Concurrent.ConcurrentBag<WakeUpDue>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {DuePartition(from)} and PartitionKey le {DuePartition(upTo)}");
        await Parallel.ForEachAsync(shards.All, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (shard, token) =>
        {
            var table = await storage.TableAsync(TableNames.WakeUpDueOf(shard), token);
            await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: token))
            {
                foreach (var d in e.GetBinary(PackItems) is { } body ? ReadPack(HourOf(e.PartitionKey), e, body).Items : [ReadDue(HourOf(e.PartitionKey), e)])
                {
                    due.Add(d);
                }
            }
        });

        return [.. due.OrderBy(d => d.Hour).ThenBy(d => d.UserId, StringComparer.Ordinal).ThenBy(d => d.PlanId, StringComparer.Ordinal).ThenBy(d => d.Step)];
    }

    /// <summary>Drops a single due pointer row (the form before packs) once its step has left <c>due</c> (or has gone).</summary>
    public async Task DropDueAsync(WakeUpDue due, CancellationToken ct)
    {
        var table = await DueTableAsync(due.UserId, ct);
        await table.DeleteEntityAsync(DuePartition(due.Hour), StepKey(due.UserId, due.PlanId, due.Step), ETag.All, ct);
    }

    /// <summary>
    /// Pack rows for <paramref name="steps"/>' pointers of one kind: per shard table and hour (the send hour, or the close
    /// hour for <see cref="WakeUpDueKinds.Close"/>), up to <see cref="PackSize"/> pointers a row, keyed by a hash of what
    /// they point at, so writing the same pointers again (a replayed start or hand-off) writes the same rows.
    /// </summary>
    private List<(string UserId, TableEntity Pack)> PackEntities(IEnumerable<(string UserId, string PlanId, WakeUpStep Step)> steps, string kind) =>
        [.. steps.DistinctBy(s => (s.UserId, s.PlanId, s.Step.Number))
            .GroupBy(s => (shards.Of(s.UserId), DuePartition(kind == WakeUpDueKinds.Close ? s.Step.Time.ClosesAt : s.Step.Time.SendAt)))
            .SelectMany(g => g.OrderBy(s => s.UserId, StringComparer.Ordinal).ThenBy(s => s.PlanId, StringComparer.Ordinal).ThenBy(s => s.Step.Number).Chunk(PackSize)
                .SelectMany(chunk => PackEntities(g.Key.Item2, kind, chunk)))];

    /// <summary>One pack row, or two halves when the pointers' text would pass the binary column's 64 KiB (long user ids).</summary>
    private static IEnumerable<(string UserId, TableEntity Pack)> PackEntities(string partition, string kind, (string UserId, string PlanId, WakeUpStep Step)[] items)
    {
        var body = PackBody.Of(items.Select(i => (i.UserId, i.PlanId, i.Step.Time, i.Step.Task)));
        if (body.Length > MaxPackBytes && items.Length > 1)
        {
            return [.. PackEntities(partition, kind, items[..(items.Length / 2)]), .. PackEntities(partition, kind, items[(items.Length / 2)..])];
        }

        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join('\n', items.Select(i => StepKey(i.UserId, i.PlanId, i.Step.Number))))))[..32];
        return [(items[0].UserId, new TableEntity(partition, $"pack|{kind}|{hash}") { [PointerKind] = kind, [PackItems] = body })];
    }

    /// <summary>A pack row's pointers, each knowing the pack (what a drop rewrites).</summary>
    private static WakeUpDuePack ReadPack(DateTimeOffset hour, TableEntity e, byte[] body)
    {
        var kind = e.GetString(PointerKind);
        var read = JsonSerializer.Deserialize<PackBody>(body)!;
        var pack = new WakeUpDuePack(e.PartitionKey, e.RowKey, kind);
        pack.Items.AddRange(read.Items.Select(i => new WakeUpDue(hour, i.U, i.P, i.S)
        {
            Kind = kind,
            Task = read.Tasks[i.T],
            Time = new WakeUpStepTime(i.S, DateOnly.ParseExact(i.D, "yyyy-MM-dd", CultureInfo.InvariantCulture), i.A, i.C),
            ETag = e.ETag,
            Pack = pack,
        }));
        return pack;
    }

    /// <summary>The rewritten pack row: the pointers it still holds (the tasks and order as written).</summary>
    private static TableEntity PackEntity(WakeUpDuePack pack) => new(pack.Partition, pack.RowKey)
    {
        [PointerKind] = pack.Kind,
        [PackItems] = PackBody.Of(pack.Items.Select(i => (i.UserId, i.PlanId, i.Time!, i.Task!))),
    };

    /// <summary>A pointer row of the form before packs: the step's key, its kind, times and task.</summary>
    private static WakeUpDue ReadDue(DateTimeOffset hour, TableEntity e)
    {
        var parts = e.RowKey.Split('|');
        var step = int.Parse(parts[2], CultureInfo.InvariantCulture);
        var due = new WakeUpDue(hour, parts[0], parts[1], step) { ETag = e.ETag };
        return e.GetString(PointerKind) is { } kind && e.GetString(Task) is { } task && e.GetString(LocalDate) is { } date
            && e.GetDateTimeOffset(SendAt) is { } sendAt && e.GetDateTimeOffset(ClosesAt) is { } closesAt
            ? due with
            {
                Kind = kind,
                Task = JsonSerializer.Deserialize<WakeUpStepTask>(task),
                Time = new WakeUpStepTime(step, DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture), sendAt, closesAt),
            }
            : due;
    }

    /// <summary>A pack's text: the distinct tasks once, then per pointer user, plan, step, local date, send and close instants, task index.</summary>
    private sealed record PackBody(List<WakeUpStepTask> Tasks, List<PackItem> Items)
    {
        /// <summary>The UTF-8 JSON of the pointers, written the same way whether a pack is new or rewritten with what is left.</summary>
        public static byte[] Of(IEnumerable<(string UserId, string PlanId, WakeUpStepTime Time, WakeUpStepTask Task)> pointers)
        {
            var list = pointers.ToList();
            var tasks = list.Select(p => p.Task).Distinct().ToList();
            return JsonSerializer.SerializeToUtf8Bytes(new PackBody(tasks, [.. list.Select(p => new PackItem(p.UserId, p.PlanId, p.Time.Step,
                p.Time.LocalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.Time.SendAt, p.Time.ClosesAt, tasks.IndexOf(p.Task)))]));
        }
    }

    private sealed record PackItem(string U, string P, int S, string D, DateTimeOffset A, DateTimeOffset C, int T);

    /// <summary>Whether the tier transitions of the night <paramref name="asOf"/> have been through the starter.</summary>
    public async Task<bool> NightDoneAsync(DateOnly asOf, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.WakeUpNights, ct);
        return (await table.GetEntityIfExistsAsync<TableEntity>(NightsPartition, asOf.ToString("yyyyMMdd", CultureInfo.InvariantCulture), ["RowKey"], ct)).HasValue;
    }

    public async Task MarkNightDoneAsync(DateOnly asOf, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.WakeUpNights, ct);
        await table.UpsertEntityAsync(new TableEntity(NightsPartition, asOf.ToString("yyyyMMdd", CultureInfo.InvariantCulture)) { ["DoneAt"] = time.GetUtcNow() }, TableUpdateMode.Replace, ct);
    }

    private static string DuePartition(DateTimeOffset at) => "due|" + Hour(at).ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    private static DateTimeOffset HourOf(string duePartition) =>
        DateTimeOffset.ParseExact(duePartition["due|".Length..], "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static DateTimeOffset Hour(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}
