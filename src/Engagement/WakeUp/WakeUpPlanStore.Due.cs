using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.WakeUp;

/// <summary>
/// The due pointers (<c>due|{yyyyMMddHH}</c>: a step to look at in that UTC hour: to send it, or to close it once its
/// local day ends; each carries its kind, the step's times and task, see <see cref="WakeUpDue"/>) and the nights whose tier transitions have started plans (<c>nights</c> / <c>yyyyMMdd</c>).
/// </summary>
public sealed partial class WakeUpPlanStore
{
    private const string NightsPartition = "nights";

    private const string PointerKind = "Kind";

    /// <summary>
    /// The due pointers of the UTC hours from <paramref name="from"/> to <paramref name="upTo"/> (both included), with what
    /// they carry and their ETags.
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
                due.Add(ReadDue(HourOf(e.PartitionKey), e));
            }
        });

        return [.. due.OrderBy(d => d.Hour).ThenBy(d => d.UserId, StringComparer.Ordinal).ThenBy(d => d.PlanId, StringComparer.Ordinal).ThenBy(d => d.Step)];
    }

    /// <summary>Drops a due pointer once its step has left <c>due</c> (or has gone).</summary>
    public async Task DropDueAsync(WakeUpDue due, CancellationToken ct)
    {
        var table = await DueTableAsync(due.UserId, ct);
        await table.DeleteEntityAsync(DuePartition(due.Hour), StepKey(due.UserId, due.PlanId, due.Step), ETag.All, ct);
    }

    /// <summary>A pointer row: the step's key, what it is there for, and the step's times and task (what the sender decides by).</summary>
    private static TableEntity PointerEntity(string userId, string planId, WakeUpStep step, string kind) =>
        new(DuePartition(kind == WakeUpDueKinds.Close ? step.Time.ClosesAt : step.Time.SendAt), StepKey(userId, planId, step.Number))
        {
            [PointerKind] = kind,
            [Task] = JsonSerializer.Serialize(step.Task),
            [LocalDate] = step.Time.LocalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            [SendAt] = step.Time.SendAt,
            [ClosesAt] = step.Time.ClosesAt,
        };

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
