using Azure;
using Azure.Data.Tables;
using Engagement.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Wallet;

/// <summary>
/// The <c>wallet</c> table (rows: <see cref="WalletRows"/>): issues coupons idempotently per (issue key, user, item) in
/// batched transactions, lists a wallet, redeems with an ETag-conditional update, counts per issue key.
/// </summary>
public sealed partial class WalletStore(StorageClients storage, UserShards shards, TimeProvider time, ILogger<WalletStore> log)
{
    /// <summary>Two rows per coupon, 100 entities per transaction.</summary>
    public const int CouponsPerTransaction = 50;

    private const int Parallelism = 4;

    /// <summary>
    /// Issues each grant's coupon unless the user already holds one for (<paramref name="issueKey"/>, item): an existing
    /// coupon is returned unchanged, never a second code. All users must be in <paramref name="shard"/>. One transaction
    /// per 50 coupons; a transaction refused because some are there already (a resumed run) costs one range read and a retry.
    /// </summary>
    public async Task<IReadOnlyList<Coupon>> IssueAsync(string shard, string issueKey, IReadOnlyList<(string UserId, CouponGrant Grant)> grants, CancellationToken ct)
    {
        CheckKey(issueKey, nameof(issueKey), "|");
        foreach (var (userId, grant) in grants)
        {
            CheckKey(userId, nameof(grants), "");
            CheckKey(grant.Item, nameof(grants), "| ");
            if (shards.Of(userId) != shard)
            {
                throw new ArgumentException($"user '{userId}' is in shard {shards.Of(userId)}, not {shard}", nameof(grants));
            }
        }

        var table = await storage.TableAsync(TableNames.Wallet, ct);
        var now = time.GetUtcNow();
        // one coupon per (user, item) even when the list repeats one; ordered by user so a batch's users form a narrow range
        var wanted = grants.DistinctBy(g => (g.UserId, g.Grant.Item)).OrderBy(g => g.UserId, StringComparer.Ordinal)
            .Select(g => new Coupon(CouponCodes.New(), g.UserId, issueKey, g.Grant.Item, g.Grant.Value, g.Grant.Currency,
                g.Grant.ValidFrom, g.Grant.ValidUntil, CouponStates.Issued, now, null))
            .ToList();
        var results = new Coupon[wanted.Count];
        var batches = Enumerable.Range(0, wanted.Count).Chunk(CouponsPerTransaction);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (batch, token) =>
        {
            var issued = await IssueBatchAsync(table, shard, issueKey, [.. batch.Select(i => wanted[i])], token);
            for (var k = 0; k < batch.Length; k++)
            {
                results[batch[k]] = issued[k];
            }
        });
        return results;
    }

    /// <summary>The coupons issued under <paramref name="issueKey"/> to the users of <paramref name="shard"/> with ids in [from, to] (ordinal), by user: one range query.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Coupon>>> IssuedInRangeAsync(string shard, string issueKey, string fromUserId, string toUserId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Wallet, ct);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {shard} and RowKey ge {WalletRows.IssuePrefix(issueKey) + fromUserId} and RowKey lt {WalletRows.IssueRangeEnd(issueKey, toUserId)}");
        var found = new List<Coupon>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            var c = WalletRows.FromEntity(e);
            // the key range can hold a user id with a space beyond `to`; the columns decide
            if (c.IssueKey == issueKey && string.CompareOrdinal(c.UserId, fromUserId) >= 0 && string.CompareOrdinal(c.UserId, toUserId) <= 0)
            {
                found.Add(c);
            }
        }

        return found.GroupBy(c => c.UserId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Coupon>)[.. g], StringComparer.Ordinal);
    }

    /// <summary>A user's coupons, newest first; an issued coupon past its end shows as expired.</summary>
    public async Task<IReadOnlyList<Coupon>> WalletAsync(string userId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Wallet, ct);
        var now = time.GetUtcNow();
        var coupons = new List<Coupon>();
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {shards.Of(userId)} and RowKey ge {WalletRows.CodePrefix(userId)} and RowKey lt {WalletRows.CodeEnd(userId)}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var c = WalletRows.FromEntity(e);
            if (c.UserId == userId)
            {
                coupons.Add(c with { State = c.StateAt(now) });
            }
        }

        return [.. coupons.OrderByDescending(c => c.IssuedAt).ThenBy(c => c.Code, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Redeems <paramref name="code"/> (as typed) for <paramref name="userId"/>: a mistyped code is refused without a storage
    /// request; otherwise one point read and one ETag-conditional update, so of two concurrent redeems exactly one succeeds.
    /// </summary>
    public async Task<RedeemResult> RedeemAsync(string userId, string code, CancellationToken ct)
    {
        var normalized = CouponCodes.Normalize(code);
        if (!CouponCodes.IsWellFormed(normalized))
        {
            return Refuse(RedeemRefusal.Mistyped, null);
        }

        if (!TableKeys.IsValid(userId, out _))
        {
            return Refuse(RedeemRefusal.NotInWallet, null);
        }

        var table = await storage.TableAsync(TableNames.Wallet, ct);
        var shard = shards.Of(userId);
        var rowKey = WalletRows.CodeRowKey(userId, normalized);
        while (true)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(shard, rowKey, cancellationToken: ct);
            if (!read.HasValue || read.Value is null)
            {
                return Refuse(RedeemRefusal.NotInWallet, null);
            }

            var coupon = WalletRows.FromEntity(read.Value);
            var now = time.GetUtcNow();
            var refusal = CouponRules.Decide(coupon, now);
            var (to, redeemedAt) = refusal switch
            {
                RedeemRefusal.None => (CouponStates.Redeemed, (DateTimeOffset?)now),
                RedeemRefusal.Expired when coupon.State == CouponStates.Issued => (CouponStates.Expired, null),
                _ => ((string?)null, (DateTimeOffset?)null),
            };
            if (to is null)
            {
                if (refusal is RedeemRefusal.AlreadyRedeemed or RedeemRefusal.Expired)
                {
                    await MirrorAsync(table, shard, coupon, ct); // repairs a mirror lost to a crash between the two writes
                }

                return Refuse(refusal, coupon);
            }

            if (!CouponRules.CanMove(coupon.State, to))
            {
                throw new InvalidOperationException($"coupon {coupon.Code} cannot move {coupon.State} -> {to}");
            }

            try
            {
                await table.UpdateEntityAsync(WalletRows.StateChange(shard, rowKey, to, redeemedAt), read.Value.ETag, TableUpdateMode.Merge, ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                LogRedeemRace(log, userId, normalized);
                continue; // another redeem (or expiry) moved it first: decide again on what is there now
            }

            var moved = coupon with { State = to, RedeemedAt = redeemedAt ?? coupon.RedeemedAt };
            await MirrorAsync(table, shard, moved, ct);
            return refusal == RedeemRefusal.None ? new RedeemResult(RedeemRefusal.None, CouponRules.Explain(RedeemRefusal.None, moved), moved) : Refuse(refusal, moved);
        }
    }

    /// <summary>Coupons issued under <paramref name="issueKey"/> and how many of them were redeemed: one range read per shard.</summary>
    public async Task<(long Issued, long Redeemed)> CountAsync(string issueKey, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Wallet, ct);
        long issued = 0, redeemed = 0;
        await Parallel.ForEachAsync(shards.All, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (shard, token) =>
        {
            long i = 0, r = 0;
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {shard} and RowKey ge {WalletRows.IssuePrefix(issueKey)} and RowKey lt {WalletRows.IssueEnd(issueKey)}");
            await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: [WalletRows.State], cancellationToken: token))
            {
                i++;
                r += e.GetString(WalletRows.State) == CouponStates.Redeemed ? 1 : 0;
            }

            Interlocked.Add(ref issued, i);
            Interlocked.Add(ref redeemed, r);
        });
        return (issued, redeemed);
    }

    private static RedeemResult Refuse(RedeemRefusal refusal, Coupon? coupon) => new(refusal, CouponRules.Explain(refusal, coupon), coupon);

    /// <summary>Keys must be valid table keys; an issue key may not hold '|' (it ends the prefix), an item neither '|' nor a space (which ends the user id).</summary>
    private static void CheckKey(string key, string parameter, string forbidden)
    {
        if (!TableKeys.IsValid(key, out var why))
        {
            throw new ArgumentException($"'{key}' cannot be part of a wallet key: it {why}", parameter);
        }

        if (key.IndexOfAny(forbidden.ToCharArray()) is var at and >= 0)
        {
            throw new ArgumentException($"'{key}' cannot be part of a wallet key: it contains '{key[at]}'", parameter);
        }
    }
}
