using System.Globalization;
using Azure.Data.Tables;

namespace Engagement.Points;

/// <summary>
/// The <c>points</c> table's keys and columns (only <see cref="PointsStore"/> uses them). PartitionKey the user id, so one
/// entity-group transaction covers all of a user's rows: the account row <c>account</c> (balance, lifetime, level, open
/// batches) and one row per ledger entry <c>e|{kind}|{sourceKey}</c>, whose key makes each source count once.
/// </summary>
internal static class PointsRows
{
    public const string AccountKey = "account";
    private const string EntryPrefix = "e|";
    private const string EntryEnd = "e}"; // '}' follows '|'

    private const string Balance = "Balance";
    private const string Lifetime = "Lifetime";
    private const string Level = "Level";
    private const string Batches = "Batches";
    private const string AsOf = "AsOf";
    private const string Kind = "Kind";
    private const string SourceKey = "SourceKey";
    private const string Points = "Points";
    private const string At = "At";
    private const string Batch = "Batch";
    private const string Draws = "Draws";
    private const string BalanceAfter = "BalanceAfter";

    private const string DayFormat = "yyyyMMdd";

    public static string EntryKey(string kind, string sourceKey) => $"{EntryPrefix}{kind}|{sourceKey}";

    /// <summary>Every user's entries of one kind (a scan across partitions).</summary>
    public static string KindFilter(string kind) =>
        TableClient.CreateQueryFilter($"RowKey ge {EntryPrefix + kind + "|"} and RowKey lt {EntryPrefix + kind + "}"}");

    public static string EntriesFilter(string userId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {userId} and RowKey ge {EntryPrefix} and RowKey lt {EntryEnd}");

    public static TableEntity ToEntity(string userId, PointsAccount a) => new(userId, AccountKey)
    {
        [Balance] = a.Balance,
        [Lifetime] = a.Lifetime,
        [Level] = a.Level,
        // ~21 characters a batch: 36 months of daily batches stay well inside a 32K-character string column
        [Batches] = string.Join(';', a.Batches.Select(b => $"{Day(b.EarnedOn)}>{Day(b.ExpiresOn)}:{b.Remaining.ToString(CultureInfo.InvariantCulture)}")),
        [AsOf] = a.AsOf,
    };

    public static PointsAccount AccountFrom(TableEntity e) => new(
        e.GetInt64(Balance) ?? 0,
        e.GetInt64(Lifetime) ?? 0,
        e.GetInt32(Level) ?? 1,
        [.. (e.GetString(Batches) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(ParseBatch)],
        e.GetDateTimeOffset(AsOf) ?? DateTimeOffset.MinValue);

    public static TableEntity ToEntity(string userId, PointsEntry x) => new(userId, EntryKey(x.Kind, x.SourceKey))
    {
        [Kind] = x.Kind,
        [SourceKey] = x.SourceKey,
        [Points] = x.Points,
        [At] = x.At,
        [Batch] = x.Batch is { } b ? Day(b) : null,
        [Draws] = x.Draws.Count == 0 ? null : string.Join(';', x.Draws.Select(d => $"{Day(d.EarnedOn)}:{d.Points.ToString(CultureInfo.InvariantCulture)}")),
        [BalanceAfter] = x.BalanceAfter,
    };

    public static PointsEntry EntryFrom(TableEntity e) => new(
        e.GetString(Kind),
        e.GetString(SourceKey),
        e.GetInt64(Points) ?? 0,
        e.GetDateTimeOffset(At) ?? DateTimeOffset.MinValue,
        e.GetString(Batch) is { } b ? ParseDay(b) : null,
        [.. (e.GetString(Draws) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(d => d.Split(':')).Select(d => new PointsDraw(ParseDay(d[0]), long.Parse(d[1], CultureInfo.InvariantCulture)))],
        e.GetInt64(BalanceAfter) ?? 0);

    private static PointsBatch ParseBatch(string s)
    {
        var gt = s.IndexOf('>', StringComparison.Ordinal);
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        return new PointsBatch(ParseDay(s[..gt]), ParseDay(s[(gt + 1)..colon]), long.Parse(s[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    private static string Day(DateOnly d) => d.ToString(DayFormat, CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string s) => DateOnly.ParseExact(s, DayFormat, CultureInfo.InvariantCulture);
}
