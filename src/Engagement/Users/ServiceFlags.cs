using System.Globalization;
using Azure.Data.Tables;
using Engagement.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Users;

/// <summary>A change of a user's dedicated-service flag on an as-of date: set on entering the service tier, cleared on leaving it.</summary>
public sealed record ServiceFlagChange(string UserId, bool Flagged, DateOnly On, string FromTier, string ToTier);

/// <summary>A user's flag now: <paramref name="Since"/> is the as-of date of its last change, <paramref name="Tier"/> the tier entered then.</summary>
public sealed record ServiceFlag(string UserId, bool Flagged, DateOnly Since, string Tier);

/// <summary>Which tier moves change the dedicated-service flag. Pure.</summary>
public static class ServiceFlagRule
{
    /// <summary>
    /// Set when a user moves into <paramref name="serviceTier"/> (from any tier, or "" for a first tier),
    /// cleared when they move out of it; any other move leaves the flag alone (null).
    /// </summary>
    public static ServiceFlagChange? Decide(string userId, string fromTier, string toTier, string serviceTier, DateOnly asOf) =>
        (fromTier == serviceTier, toTier == serviceTier) switch
        {
            (false, true) => new ServiceFlagChange(userId, true, asOf, fromTier, toTier),
            (true, false) => new ServiceFlagChange(userId, false, asOf, fromTier, toTier),
            _ => null,
        };

    public static List<ServiceFlagChange> Changes(IEnumerable<(string UserId, string From, string To)> moves, string serviceTier, DateOnly asOf) =>
        [.. moves.Select(m => Decide(m.UserId, m.From, m.To, serviceTier, asOf)).OfType<ServiceFlagChange>()];
}

/// <summary>
/// The dedicated-service flags (<c>serviceflags</c>): PartitionKey the user's shard, so one nightly shard's
/// changes are batch transactions. Two kinds of rows: <c>c|{userId}</c> the flag now (<c>Flagged</c>,
/// <c>Since</c>, <c>Tier</c>), and <c>h|{userId}|{yyyyMMdd}</c> one per change (<c>Flagged</c>, <c>On</c>,
/// <c>From</c>, <c>To</c>); both carry <c>UserId</c>. Both are upserts keyed by the change's date, so a
/// redelivered assign message writes the same rows again: no read, no duplicate history.
/// </summary>
public sealed partial class ServiceFlags(StorageClients storage, UserShards shards, ILogger<ServiceFlags> log)
{
    private const string Current = "c|";
    private const string History = "h|";
    private const string UserIdColumn = "UserId";
    private const string FlaggedColumn = "Flagged";
    private const string SinceColumn = "Since";
    private const string TierColumn = "Tier";
    private const string OnColumn = "On";
    private const string FromColumn = "From";
    private const string ToColumn = "To";

    /// <summary>Writes one shard's changes of a night: two rows per changed user, in batches of 100 operations.</summary>
    public async Task WriteAsync(string shard, IReadOnlyList<ServiceFlagChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var table = await storage.TableAsync(TableNames.ServiceFlags, cancellationToken);
        var rows = changes.SelectMany(c => new[]
        {
            new TableEntity(shard, Current + c.UserId) { [UserIdColumn] = c.UserId, [FlaggedColumn] = c.Flagged, [SinceColumn] = Date(c.On), [TierColumn] = c.ToTier },
            new TableEntity(shard, History + c.UserId + "|" + c.On.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
            {
                [UserIdColumn] = c.UserId, [FlaggedColumn] = c.Flagged, [OnColumn] = Date(c.On), [FromColumn] = c.FromTier, [ToColumn] = c.ToTier,
            },
        });
        foreach (var batch in rows.Chunk(100))
        {
            await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
        }

        LogFlagsWritten(log, shard, changes.Count(c => c.Flagged), changes.Count(c => !c.Flagged));
    }

    /// <summary>Users flagged now (since <paramref name="since"/> or later when given), by shard: one query per shard.</summary>
    public async Task<List<ServiceFlag>> FlaggedAsync(DateOnly? since, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.ServiceFlags, cancellationToken);
        var result = new List<ServiceFlag>();
        foreach (var shard in shards.All)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {shard} and RowKey ge {Current} and RowKey lt {"c}"} and Flagged eq true");
            if (since is { } from)
            {
                filter += " and " + TableClient.CreateQueryFilter($"Since ge {Date(from)}");
            }

            await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                result.Add(Flag(e));
            }
        }

        return result;
    }

    /// <summary>A user's flag now, or null if it was never set.</summary>
    public async Task<ServiceFlag?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.ServiceFlags, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(shards.Of(userId), Current + userId, cancellationToken: cancellationToken);
        return row.HasValue ? Flag(row.Value!) : null;
    }

    /// <summary>A user's changes, oldest first.</summary>
    public async Task<List<ServiceFlagChange>> HistoryAsync(string userId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.ServiceFlags, cancellationToken);
        var prefix = History + userId + "|";
        var changes = new List<ServiceFlagChange>();
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {shards.Of(userId)} and RowKey gt {prefix} and RowKey lt {prefix + "~"} and UserId eq {userId}"), cancellationToken: cancellationToken))
        {
            changes.Add(new ServiceFlagChange(userId, e.GetBoolean(FlaggedColumn) == true, ParseDate(e.GetString(OnColumn)), e.GetString(FromColumn) ?? "", e.GetString(ToColumn) ?? ""));
        }

        return changes;
    }

    private static ServiceFlag Flag(TableEntity e) =>
        new(e.GetString(UserIdColumn) ?? e.RowKey[Current.Length..], e.GetBoolean(FlaggedColumn) == true, ParseDate(e.GetString(SinceColumn)), e.GetString(TierColumn) ?? "");

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly ParseDate(string? text) => DateOnly.ParseExact(text ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(LogLevel.Debug, "Shard {Shard}: service flag set for {Set} and cleared for {Cleared} user(s)")]
    private static partial void LogFlagsWritten(ILogger logger, string shard, int set, int cleared);
}
