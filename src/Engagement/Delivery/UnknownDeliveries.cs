using Engagement.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Delivery;

/// <summary>What resolving a campaign's unknown deliveries found.</summary>
public sealed record UnknownResolution(int Found, int NotSent, int StillUnknown);

/// <summary>
/// Settles <c>unknown</c> deliveries (a timeout, a 5xx, a reset, a worker killed mid-send) by asking
/// the provider, never by resending blindly: found in the provider's records → <c>accepted</c>;
/// provably absent (the provider answered, no such message) → back to <c>planned</c>, so a resume
/// sends it once; the provider cannot say → stays <c>unknown</c>. In-app messages are idempotent
/// by key, so their unknowns go back to planned directly. Only rows older than
/// <see cref="DeliveryOptions.UnknownResolveAfter"/> are looked at.
/// </summary>
public sealed partial class UnknownDeliveries(
    DeliveryLedger ledger,
    UserShards shards,
    IEnumerable<IDeliveryLookup> lookups,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<UnknownDeliveries> log)
{
    private readonly Dictionary<string, IDeliveryLookup> _lookups = lookups.ToDictionary(l => l.Channel, StringComparer.Ordinal);

    public async Task<UnknownResolution> ResolveAsync(string campaignId, CancellationToken cancellationToken)
    {
        var settled = time.GetUtcNow() - options.Value.UnknownResolveAfter;
        int found = 0, notSent = 0, still = 0;
        foreach (var shard in shards.All)
        {
            await foreach (var row in ledger.UnknownRowsAsync(campaignId, shard, cancellationToken))
            {
                if (row.UpdatedAt is { } at && at > settled)
                {
                    still++;
                    continue;
                }

                string? providerId;
                if (row.Channel == Channels.InApp)
                {
                    providerId = null; // the inbox write is idempotent: sending again cannot duplicate it
                }
                else if (_lookups.TryGetValue(row.Channel, out var lookup) && row.To is { } to && row.Body is { } body)
                {
                    try
                    {
                        providerId = await lookup.FindAsync(to, body, row.ClaimedAt ?? settled, cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogLookupFailed(log, row.PartitionKey, row.RowKey, ex.Message);
                        still++;
                        continue;
                    }
                }
                else
                {
                    still++; // no way to ask: it stays unknown, and is never resent
                    continue;
                }

                var moved = await ledger.TryMoveAsync(row, row with
                {
                    State = providerId is null ? DeliveryStates.Planned : DeliveryStates.Accepted,
                    Reason = providerId is null ? "resolved-not-sent" : "resolved-by-lookup",
                    ProviderId = providerId ?? row.ProviderId,
                    UpdatedAt = time.GetUtcNow(),
                }, cancellationToken);
                if (!moved.Moved)
                {
                    still++; // someone else moved it meanwhile
                }
                else if (providerId is null)
                {
                    notSent++;
                }
                else
                {
                    found++;
                }
            }
        }

        return new UnknownResolution(found, notSent, still);
    }

    [LoggerMessage(LogLevel.Warning, "Could not look up unknown delivery {Partition}/{Row}: {Error}")]
    private static partial void LogLookupFailed(ILogger logger, string partition, string row, string error);
}
