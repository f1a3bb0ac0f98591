using Azure;
using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Storage;
using Engagement.Wallet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Points;

public enum PointsOutcome { Applied, AlreadyApplied, Refused }

/// <summary>What a points move did; <see cref="Entry"/> is the move's own entry (the one already there when replayed).</summary>
public sealed record PointsResult(PointsOutcome Outcome, PointsAccount Account, PointsEntry? Entry, string? Refusal);

/// <summary>A redemption: the spend and, unless refused, the coupon it bought.</summary>
public sealed record PointsRedemption(PointsResult Spend, Coupon? Coupon, string SourceKey)
{
    public bool Redeemed => Coupon is not null;
}

/// <summary>
/// The <c>points</c> table (rows: <see cref="PointsRows"/>). Every move reads the account row with its ETag, decides in
/// <see cref="PointsAccount"/> and writes ONE transaction: the new entry rows added and the account replaced If-Match (added
/// when new). A replayed source fails the transaction on its entry (409) and is answered "already applied"; a lost race
/// (412, or 409 on a new account) reads again and decides again, so two concurrent spends never take the balance below 0.
/// A move starts from this process's copy of the account when it has one (<see cref="PointsAccountCache"/>) instead of
/// a read: the If-Match turns a stale copy into a lost race.
/// </summary>
public sealed partial class PointsStore(
    StorageClients storage, WalletStore wallet, UserShards shards, ActivityCalendar calendar, IOptions<PointsOptions> options, TimeProvider time, ILogger<PointsStore> log)
{
    /// <summary>A transaction holds at most 100 rows: the account and 99 entries.</summary>
    public const int MaxEntriesPerTransaction = 99;

    /// <summary>Lost races before giving up (each is another writer's success on the same user).</summary>
    private const int MaxConflicts = 16;

    private readonly PointsAccountCache _cache = new(options.Value.CachedAccounts);

    /// <summary>Accounts this process holds a copy of (at most <see cref="PointsOptions.CachedAccounts"/>).</summary>
    public int CachedAccounts => _cache.Count;

    private PointsRules Rules => new(calendar, options.Value.ExpiresAfterMonths, options.Value.LevelThresholds);

    /// <summary>Awards <paramref name="points"/> for <paramref name="sourceKey"/> once (an activity event, a task step).</summary>
    public Task<PointsResult> EarnAsync(string userId, string sourceKey, long points, CancellationToken ct) =>
        MoveAsync(userId, PointsKinds.Earn, sourceKey, (a, rules, now) => a.Earn(rules, sourceKey, points, now), ct);

    /// <summary>The configured award for an activity event, keyed <c>activity-{eventId}</c>; null when its type earns nothing.</summary>
    public async Task<PointsResult?> EarnForAsync(ActivityEvent e, CancellationToken ct)
    {
        var points = options.Value.EarnFor(e.Type);
        return points == 0 ? null : await EarnAsync(e.UserId, $"activity-{e.EventId}", points, ct);
    }

    /// <summary>
    /// Awards several sources of one user in one transaction (the ingest's events of a message), after a read when this
    /// process holds no copy of the account, each once:
    /// a source already in the ledger (a replayed event) is left out and the rest written again. The account afterwards.
    /// </summary>
    public async Task<PointsAccount> EarnManyAsync(string userId, IReadOnlyList<(string SourceKey, long Points)> items, CancellationToken ct)
    {
        CheckKey(userId, nameof(userId));
        foreach (var (key, _) in items)
        {
            CheckKey(key, nameof(items));
        }

        var table = await storage.TableAsync(TableNames.Points, ct);
        var rules = Rules;
        var pending = items.Where(i => i.Points > 0).DistinctBy(i => i.SourceKey, StringComparer.Ordinal).ToList();
        PointsAccount? account = null;
        for (var conflicts = 0; pending.Count > 0; )
        {
            var (read, cached) = await StartAsync(table, userId, mustRead: false, ct);
            account = read?.Account ?? PointsAccount.Empty;
            var now = time.GetUtcNow();
            var entries = new List<PointsEntry>();
            var part = pending.Take(MaxEntriesPerTransaction / 2).ToList();
            foreach (var (key, points) in part)
            {
                var change = account.Earn(rules, key, points, now);
                entries.AddRange(change.Entries);
                account = change.Account;
            }

            if (entries.Count > MaxEntriesPerTransaction)
            {
                // a long absence's expiries come first: the single-source path writes them in parts
                foreach (var (key, points) in part)
                {
                    account = (await EarnAsync(userId, key, points, ct)).Account;
                }

                pending.RemoveRange(0, part.Count);
                continue;
            }

            try
            {
                await SubmitAsync(table, userId, new PointsChange(account, entries, null), read?.ETag, ct);
                pending.RemoveRange(0, part.Count);
                conflicts = 0;
            }
            catch (TableTransactionFailedException ex) when (IsRace(ex, cached) && ++conflicts < MaxConflicts)
            {
                _cache.Forget(userId);
                if (ex.Status == 409 && ex.FailedTransactionActionIndex is int i && i < entries.Count && entries[i].Kind == PointsKinds.Earn)
                {
                    pending.RemoveAll(p => p.SourceKey == entries[i].SourceKey); // in the ledger already: a replay
                    account = null; // not written: read again
                }
                else if (ex.Status != 409)
                {
                    account = null;
                }
                else
                {
                    // which source is there already is not said: one by one, each answered "already applied" or written
                    foreach (var (key, points) in part)
                    {
                        account = (await EarnAsync(userId, key, points, ct)).Account;
                    }

                    pending.RemoveRange(0, part.Count);
                }

                LogRace(log, userId, ex.Status);
            }
        }

        return account ?? (await ReadAccountAsync(table, userId, ct))?.Account ?? PointsAccount.Empty;
    }

    /// <summary>Takes <paramref name="points"/> for <paramref name="sourceKey"/> once; refused (nothing written but due expiries) when the balance is short.</summary>
    public Task<PointsResult> SpendAsync(string userId, string sourceKey, long points, CancellationToken ct) =>
        MoveAsync(userId, PointsKinds.Spend, sourceKey, (a, rules, now) => a.Spend(rules, sourceKey, points, now), ct);

    /// <summary>Writes the expiries due now; the account afterwards (null for a user without one).</summary>
    public async Task<PointsAccount?> ExpireDueAsync(string userId, CancellationToken ct)
    {
        CheckKey(userId, nameof(userId));
        var table = await storage.TableAsync(TableNames.Points, ct);
        if (await ReadAccountAsync(table, userId, ct) is null)
        {
            return null;
        }

        return (await MoveAsync(userId, null, null, (a, rules, now) => a.ExpireDue(rules, now), ct)).Account;
    }

    /// <summary>
    /// Spends <paramref name="itemId"/>'s cost and puts its coupon in the wallet, keyed <c>redeem-{itemId}-{requestId}</c>.
    /// Spend first, then issue under the spend's key: both are idempotent by that key, so a crash between them (points
    /// spent, no coupon) is repaired by running the same redemption again (same request id): the spend answers "already
    /// applied" (even when the balance is now short) and the issue puts the one coupon in; a second run issues none.
    /// </summary>
    public async Task<PointsRedemption> RedeemAsync(string userId, string itemId, string requestId, CancellationToken ct)
    {
        CheckKey(requestId, nameof(requestId));
        if (requestId.Contains('|', StringComparison.Ordinal) || requestId.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException($"request id '{requestId}' cannot hold '|' or a space", nameof(requestId));
        }

        var sourceKey = $"redeem-{itemId}-{requestId}";
        if (options.Value.Find(itemId) is not { } item)
        {
            var known = string.Join(", ", options.Value.Catalogue.Select(i => i.Item));
            var account = await AccountAsync(userId, ct) ?? PointsAccount.Empty;
            return new PointsRedemption(new PointsResult(PointsOutcome.Refused, account, null, $"'{itemId}' is not in the catalogue ({known})"), null, sourceKey);
        }

        var spend = await SpendAsync(userId, sourceKey, item.Cost, ct);
        if (spend.Outcome == PointsOutcome.Refused)
        {
            return new PointsRedemption(spend, null, sourceKey);
        }

        var from = spend.Entry!.At; // the spend's time, so a repeated issue asks for the same validity
        var grant = new CouponGrant(item.Item, item.Value, item.Currency, from, from.AddDays(item.ValidDays));
        var coupons = await wallet.IssueAsync(shards.Of(userId), sourceKey, [(userId, grant)], ct);
        return new PointsRedemption(spend, coupons.Single(), sourceKey);
    }

    /// <summary>The stored account (balance, lifetime, level, open batches), or null when the user never earned.</summary>
    public async Task<PointsAccount?> AccountAsync(string userId, CancellationToken ct)
    {
        CheckKey(userId, nameof(userId));
        var table = await storage.TableAsync(TableNames.Points, ct);
        return (await ReadAccountAsync(table, userId, ct))?.Account;
    }

    /// <summary>A user's ledger entries, newest first.</summary>
    public async Task<IReadOnlyList<PointsEntry>> EntriesAsync(string userId, CancellationToken ct)
    {
        CheckKey(userId, nameof(userId));
        var table = await storage.TableAsync(TableNames.Points, ct);
        var entries = new List<PointsEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(PointsRows.EntriesFilter(userId), cancellationToken: ct))
        {
            entries.Add(PointsRows.EntryFrom(e));
        }

        return [.. entries.OrderByDescending(e => e.At).ThenBy(e => e.Kind == PointsKinds.Expire ? 1 : 0)];
    }

    /// <summary>Every user's spends (redemptions), for outcome reports: one scan of the table's spend entries.</summary>
    public async IAsyncEnumerable<(string UserId, PointsEntry Spend)> SpendsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        await foreach (var e in table.QueryAsync<TableEntity>(PointsRows.KindFilter(PointsKinds.Spend), maxPerPage: 1000, cancellationToken: ct))
        {
            yield return (e.PartitionKey, PointsRows.EntryFrom(e));
        }
    }

    /// <summary>The instant a batch expires (the start of its expiry day in the ops zone).</summary>
    public DateTimeOffset ExpiresAt(PointsBatch batch) => Rules.ExpiresAt(batch);

    /// <summary>
    /// Read (or this process's copy) → decide → one transaction, again on a lost race. <paramref name="kind"/>/<paramref name="sourceKey"/> name the
    /// move's own entry (null for expiries only), which is read to tell a replay from a race.
    /// </summary>
    private async Task<PointsResult> MoveAsync(string userId, string? kind, string? sourceKey, Func<PointsAccount, PointsRules, DateTimeOffset, PointsChange> decide, CancellationToken ct)
    {
        CheckKey(userId, nameof(userId));
        if (sourceKey is not null)
        {
            CheckKey(sourceKey, nameof(sourceKey));
        }

        var table = await storage.TableAsync(TableNames.Points, ct);
        var rules = Rules;
        for (var (conflicts, mustRead) = (0, false); ; )
        {
            var (read, cached) = await StartAsync(table, userId, mustRead, ct);
            var account = read?.Account ?? PointsAccount.Empty;
            var now = time.GetUtcNow();
            var change = decide(account, rules, now);
            var ahead = change.Entries.Count > MaxEntriesPerTransaction;
            if (ahead)
            {
                change = account.ExpireDue(rules, now, MaxEntriesPerTransaction); // a long absence: its expiries first, in parts
            }
            else if (change.Refused)
            {
                if (cached)
                {
                    mustRead = true; // a stale copy may see the balance short: only the stored account refuses
                    continue;
                }

                if (await ReadEntryAsync(table, userId, kind!, sourceKey!, ct) is { } done)
                {
                    return new PointsResult(PointsOutcome.AlreadyApplied, account, done, null);
                }

                if (change.Entries.Count == 0)
                {
                    return new PointsResult(PointsOutcome.Refused, change.Account, null, change.Refusal);
                }
            }
            else if (change.Entries.Count == 0)
            {
                return new PointsResult(PointsOutcome.Applied, change.Account, null, null);
            }

            try
            {
                await SubmitAsync(table, userId, change, read?.ETag, ct);
            }
            catch (TableTransactionFailedException ex) when (IsRace(ex, cached))
            {
                _cache.Forget(userId);
                if (kind is not null && await ReadEntryAsync(table, userId, kind, sourceKey!, ct) is { } there)
                {
                    var stored = cached ? (await ReadAccountAsync(table, userId, ct))?.Account ?? account : account;
                    return new PointsResult(PointsOutcome.AlreadyApplied, stored, there, null);
                }

                if (++conflicts >= MaxConflicts)
                {
                    throw new InvalidOperationException($"points of '{userId}': {conflicts} lost races in a row", ex);
                }

                LogRace(log, userId, ex.Status);
                continue;
            }

            if (ahead)
            {
                continue;
            }

            return change.Refused
                ? new PointsResult(PointsOutcome.Refused, change.Account, null, change.Refusal)
                : new PointsResult(PointsOutcome.Applied, change.Account, kind is null ? null : change.Entries[^1], null);
        }
    }

    private static IEnumerable<TableTransactionAction> Actions(string userId, PointsChange change, ETag? etag) =>
    [
        .. change.Entries.Select(e => new TableTransactionAction(TableTransactionActionType.Add, PointsRows.ToEntity(userId, e))),
        etag is { } tag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, PointsRows.ToEntity(userId, change.Account), tag)
            : new TableTransactionAction(TableTransactionActionType.Add, PointsRows.ToEntity(userId, change.Account)),
    ];

    /// <summary>The account to decide on: this process's copy when it has one (Cached) and no read is asked for, else the stored one.</summary>
    private async Task<((PointsAccount Account, ETag ETag)? Read, bool Cached)> StartAsync(TableClient table, string userId, bool mustRead, CancellationToken ct) =>
        !mustRead && _cache.TryGet(userId, out var copy) ? (copy, true) : (await ReadAccountAsync(table, userId, ct), false);

    private async Task<(PointsAccount Account, ETag ETag)?> ReadAccountAsync(TableClient table, string userId, CancellationToken ct)
    {
        var read = await table.GetEntityIfExistsAsync<TableEntity>(userId, PointsRows.AccountKey, cancellationToken: ct);
        if (!read.HasValue || read.Value is not { } e)
        {
            _cache.Forget(userId);
            return null;
        }

        var account = PointsRows.AccountFrom(e);
        _cache.Put(userId, account, e.ETag);
        return (account, e.ETag);
    }

    /// <summary>Writes a move and keeps the account with the ETag its action returned (the last action: see <see cref="Actions"/>).</summary>
    private async Task SubmitAsync(TableClient table, string userId, PointsChange change, ETag? etag, CancellationToken ct)
    {
        var responses = (await table.SubmitTransactionAsync(Actions(userId, change, etag), ct)).Value;
        if (responses.Count > 0 && responses[^1].Headers.ETag is { } written)
        {
            _cache.Put(userId, change.Account, written);
        }
        else
        {
            _cache.Forget(userId);
        }
    }

    /// <summary>Another writer went first: 409 (an entry there already, or a new account added) or 412; 404 when a copy outlived its row.</summary>
    private static bool IsRace(TableTransactionFailedException ex, bool cached) => ex.Status is 409 or 412 || (cached && ex.Status == 404);

    private static async Task<PointsEntry?> ReadEntryAsync(TableClient table, string userId, string kind, string sourceKey, CancellationToken ct)
    {
        var read = await table.GetEntityIfExistsAsync<TableEntity>(userId, PointsRows.EntryKey(kind, sourceKey), cancellationToken: ct);
        return read.HasValue && read.Value is { } e ? PointsRows.EntryFrom(e) : null;
    }

    private static void CheckKey(string key, string parameter)
    {
        if (!TableKeys.IsValid(key, out var why))
        {
            throw new ArgumentException($"'{key}' cannot be part of a points key: it {why}", parameter);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Points move of {UserId} lost a race ({Status}): deciding again")]
    private static partial void LogRace(ILogger logger, string userId, int status);
}
