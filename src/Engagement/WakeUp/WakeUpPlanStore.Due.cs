using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.WakeUp;

/// <summary>
/// The due pointers (<c>due|{yyyyMMddHH}</c>: a step to look at in that UTC hour: to send it, or to close it once its
/// local day ends) and the nights whose tier transitions have started plans (<c>nights</c> / <c>yyyyMMdd</c>).
/// </summary>
public sealed partial class WakeUpPlanStore
{
    private const string NightsPartition = "nights";

    /// <summary>The due pointers of the UTC hours from <paramref name="from"/> to <paramref name="upTo"/> (both included).</summary>
    public async Task<IReadOnlyList<WakeUpDue>> DueAsync(DateTimeOffset from, DateTimeOffset upTo, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.WakeUpPlans, ct);
        var due = new List<WakeUpDue>();
        for (var hour = Hour(from); hour <= Hour(upTo); hour = hour.AddHours(1))
        {
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition(hour)}"), select: ["RowKey"], cancellationToken: ct))
            {
                var parts = e.RowKey.Split('|');
                due.Add(new WakeUpDue(hour, parts[0], parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture)));
            }
        }

        return due;
    }

    /// <summary>Drops a due pointer once its step has left <c>due</c> (or has gone).</summary>
    public async Task DropDueAsync(WakeUpDue due, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.WakeUpPlans, ct);
        await table.DeleteEntityAsync(DuePartition(due.Hour), StepKey(due.UserId, due.PlanId, due.Step), ETag.All, ct);
    }

    /// <summary>
    /// Moves a pointer to the hour of <paramref name="at"/> (a sent step waits there for its local day to close): the new
    /// pointer is written before the old one goes, so a crash in between leaves two pointers to one step, never none.
    /// </summary>
    public async Task RefileAsync(WakeUpDue due, DateTimeOffset at, CancellationToken ct)
    {
        if (Hour(at) == due.Hour)
        {
            return;
        }

        var table = await storage.TableAsync(TableNames.WakeUpPlans, ct);
        await table.UpsertEntityAsync(new TableEntity(DuePartition(at), StepKey(due.UserId, due.PlanId, due.Step)), TableUpdateMode.Replace, ct);
        await DropDueAsync(due, ct);
    }

    /// <summary>Whether the tier transitions of the night <paramref name="asOf"/> have been through the starter.</summary>
    public async Task<bool> NightDoneAsync(DateOnly asOf, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.WakeUpPlans, ct);
        return (await table.GetEntityIfExistsAsync<TableEntity>(NightsPartition, asOf.ToString("yyyyMMdd", CultureInfo.InvariantCulture), ["RowKey"], ct)).HasValue;
    }

    public async Task MarkNightDoneAsync(DateOnly asOf, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.WakeUpPlans, ct);
        await table.UpsertEntityAsync(new TableEntity(NightsPartition, asOf.ToString("yyyyMMdd", CultureInfo.InvariantCulture)) { ["DoneAt"] = time.GetUtcNow() }, TableUpdateMode.Replace, ct);
    }

    private static string DuePartition(DateTimeOffset at) => "due|" + Hour(at).ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    private static DateTimeOffset Hour(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}
