using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Engagement.Wallet;

public sealed partial class WalletStore
{
    /// <summary>
    /// One transaction for the batch (issue + code row per coupon). Refused with 409 (some are there: a resumed run, or a
    /// racing issuer), it reads the batch's users' coupons in one range, keeps those and retries the rest once; a second
    /// refusal (a code drawn twice for one user, or another race) falls back to one transaction per coupon.
    /// </summary>
    private async Task<Coupon[]> IssueBatchAsync(TableClient table, string shard, string issueKey, Coupon[] batch, CancellationToken ct)
    {
        var results = new Coupon?[batch.Length];
        var pending = Enumerable.Range(0, batch.Length).ToList();
        for (var attempt = 0; attempt < 2 && pending.Count > 0; attempt++)
        {
            try
            {
                await table.SubmitTransactionAsync(pending.SelectMany(i => Rows(shard, batch[i])), ct);
                foreach (var i in pending)
                {
                    results[i] = batch[i];
                }

                return [.. results.Select(c => c!)];
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                if (attempt > 0)
                {
                    break;
                }

                var users = pending.Select(i => batch[i].UserId).ToList();
                var existing = await IssuedInRangeAsync(shard, issueKey, users.Min(StringComparer.Ordinal)!, users.Max(StringComparer.Ordinal)!, ct);
                foreach (var i in pending.ToList())
                {
                    if (Find(existing, batch[i]) is { } there)
                    {
                        results[i] = there;
                        pending.Remove(i);
                    }
                }

                LogBatchConflict(log, shard, issueKey, batch.Length - pending.Count, pending.Count);
            }
        }

        foreach (var i in pending)
        {
            results[i] = await IssueOneAsync(table, shard, batch[i], ct);
        }

        return [.. results.Select(c => c!)];
    }

    /// <summary>One coupon in its own transaction: 409 means it is there (return it) or its code is taken (draw again).</summary>
    private async Task<Coupon> IssueOneAsync(TableClient table, string shard, Coupon coupon, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await table.SubmitTransactionAsync(Rows(shard, coupon), ct);
                return coupon;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                var there = await table.GetEntityIfExistsAsync<TableEntity>(shard, WalletRows.IssueRowKey(coupon.IssueKey, coupon.UserId, coupon.Item), cancellationToken: ct);
                if (there.HasValue && there.Value is not null)
                {
                    return WalletRows.FromEntity(there.Value);
                }

                LogCodeTaken(log, coupon.UserId);
                coupon = coupon with { Code = CouponCodes.New() };
            }
        }
    }

    private static Coupon? Find(IReadOnlyDictionary<string, IReadOnlyList<Coupon>> existing, Coupon wanted) =>
        existing.TryGetValue(wanted.UserId, out var held) ? held.FirstOrDefault(c => c.Item == wanted.Item) : null;

    private static IEnumerable<TableTransactionAction> Rows(string shard, Coupon c) =>
    [
        new(TableTransactionActionType.Add, WalletRows.ToEntity(shard, WalletRows.IssueRowKey(c.IssueKey, c.UserId, c.Item), c)),
        new(TableTransactionActionType.Add, WalletRows.ToEntity(shard, WalletRows.CodeRowKey(c.UserId, c.Code), c)),
    ];

    /// <summary>Copies a code row's state onto its issue row (which the counts read); unconditional: the code row decided.</summary>
    private static async Task MirrorAsync(TableClient table, string shard, Coupon c, CancellationToken ct)
    {
        try
        {
            await table.UpdateEntityAsync(WalletRows.StateChange(shard, WalletRows.IssueRowKey(c.IssueKey, c.UserId, c.Item), c.State, c.RedeemedAt), ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // both rows are inserted together, so this is a row deleted by hand: the code row still holds the state
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wallet shard {Shard}, issue {IssueKey}: {Existing} coupon(s) already issued, {Pending} to issue")]
    private static partial void LogBatchConflict(ILogger logger, string shard, string issueKey, int existing, int pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A drawn coupon code was already in the wallet of {UserId}: drawing again")]
    private static partial void LogCodeTaken(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redeem of {Code} for {UserId} lost a race (412): deciding again")]
    private static partial void LogRedeemRace(ILogger logger, string userId, string code);
}
