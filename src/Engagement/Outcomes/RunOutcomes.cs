using Engagement.Delivery;
using Engagement.Storage;

namespace Engagement.Outcomes;

/// <summary>
/// Records a playbook run's (any campaign's) outcome per attribution window: the existing reactivation
/// measure, the ledger's targeted / held-out users and accepted sends per channel, and the coupons
/// issued under the campaign id (the issue key the planner uses), in one <c>runoutcomes</c> row. Re-recording replaces the row, so the
/// timer that records a run once its window closes can fire twice.
/// </summary>
public sealed class RunOutcomes(Reactivations reactivations, DeliveryLedger ledger, UserShards shards, Wallet.WalletStore wallet, RunOutcomeStore store, TimeProvider time)
{
    public async Task<RunOutcome> RecordAsync(string campaignId, int windowDays, CancellationToken cancellationToken)
    {
        // one read of the ledger serves the reactivation measure and the counts
        var rows = await ledger.RowsAsync(campaignId, shards.All, cancellationToken);
        var outcome = await reactivations.MeasureAsync(campaignId, windowDays, rows, cancellationToken);
        var record = RunOutcome.Of(outcome, rows, await wallet.CountAsync(campaignId, cancellationToken), time.GetUtcNow());
        await store.SaveAsync(record, cancellationToken);
        return record;
    }

    /// <summary>The campaign's most recently measured window, or null before any.</summary>
    public async Task<RunOutcome?> LatestAsync(string campaignId, CancellationToken cancellationToken) =>
        (await store.AllAsync(campaignId, cancellationToken)).OrderByDescending(o => o.MeasuredAt).ThenByDescending(o => o.WindowDays).FirstOrDefault();
}
