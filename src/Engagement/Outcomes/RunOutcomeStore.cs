using System.Globalization;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Outcomes;

/// <summary>
/// The <c>runoutcomes</c> table: PartitionKey the campaign (playbook run) id, RowKey <c>w{window:D2}</c>,
/// one row per attribution window measured. A re-measure replaces the row (the counts only grow while
/// the window is open and are final once it closed), so the row is always the latest measure.
/// </summary>
public sealed class RunOutcomeStore(StorageClients storage)
{
    private const string WindowDays = "WindowDays";
    private const string MeasuredAt = "MeasuredAt";
    private const string WindowClosed = "WindowClosed";
    private const string Targeted = "Targeted";
    private const string HeldOut = "HeldOut";
    private const string Sent = "Sent";
    private const string CouponsIssued = "CouponsIssued";
    private const string CouponsRedeemed = "CouponsRedeemed";
    private const string Reached = "Reached";
    private const string ReachedActive = "ReachedActive";
    private const string HeldOutActive = "HeldOutActive";
    private const string Lift = "Lift";
    private const string LiftLow = "LiftLow";
    private const string LiftHigh = "LiftHigh";

    public static string RowKey(int windowDays) => $"w{windowDays:D2}";

    public async Task SaveAsync(RunOutcome o, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.RunOutcomes, cancellationToken);
        var row = new TableEntity(o.CampaignId, RowKey(o.WindowDays))
        {
            [WindowDays] = o.WindowDays,
            [MeasuredAt] = o.MeasuredAt,
            [WindowClosed] = o.WindowClosed,
            [Targeted] = o.Targeted,
            [HeldOut] = o.HeldOut,
            // compact: channel=count;... (channels are few and only read together)
            [Sent] = string.Join(';', o.SentByChannel.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}"))),
            [CouponsIssued] = o.CouponsIssued,
            [CouponsRedeemed] = o.CouponsRedeemed,
            [Reached] = o.Reached,
            [ReachedActive] = o.ReachedActive,
            [HeldOutActive] = o.HeldOutActive,
            [Lift] = o.Lift?.Estimate,
            [LiftLow] = o.Lift?.Low,
            [LiftHigh] = o.Lift?.High,
        };
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<RunOutcome?> GetAsync(string campaignId, int windowDays, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.RunOutcomes, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(campaignId, RowKey(windowDays), cancellationToken: cancellationToken);
        return row.HasValue ? ToOutcome(row.Value!) : null;
    }

    /// <summary>Every window measured for the campaign, by window length.</summary>
    public async Task<List<RunOutcome>> AllAsync(string campaignId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.RunOutcomes, cancellationToken);
        var list = new List<RunOutcome>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {campaignId}"), cancellationToken: cancellationToken))
        {
            list.Add(ToOutcome(e));
        }

        return list;
    }

    private static RunOutcome ToOutcome(TableEntity e) => new(
        e.PartitionKey,
        e.GetInt32(WindowDays) ?? 0,
        e.GetDateTimeOffset(MeasuredAt) ?? DateTimeOffset.MinValue,
        e.GetBoolean(WindowClosed) ?? false,
        e.GetInt64(Targeted) ?? 0,
        e.GetInt64(HeldOut) ?? 0,
        ParseSent(e.GetString(Sent)),
        e.GetInt64(CouponsIssued) ?? 0,
        e.GetInt64(CouponsRedeemed) ?? 0,
        e.GetInt32(Reached) ?? 0,
        e.GetInt32(ReachedActive) ?? 0,
        e.GetInt32(HeldOutActive) ?? 0,
        e.GetDouble(Lift) is { } lift ? new Interval(lift, e.GetDouble(LiftLow) ?? lift, e.GetDouble(LiftHigh) ?? lift) : null);

    private static SortedDictionary<string, long> ParseSent(string? text)
    {
        var sent = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var pair in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.LastIndexOf('=');
            sent[pair[..at]] = long.Parse(pair[(at + 1)..], CultureInfo.InvariantCulture);
        }

        return sent;
    }
}
