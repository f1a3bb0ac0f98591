using Azure;
using Azure.Data.Tables;
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
    StorageClients storage,
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
            var ledger = await storage.TableAsync(TableNames.DeliveriesOf(shard), cancellationToken);
            await foreach (var row in ledger.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryKey.PartitionOf(campaignId, shard)} and State eq {DeliveryStates.Unknown}"), cancellationToken: cancellationToken))
            {
                if (row.GetDateTimeOffset("UpdatedAt") is { } at && at > settled)
                {
                    still++;
                    continue;
                }

                var channel = row.GetString("Channel")!;
                string? providerId;
                if (channel == Campaigns.Channels.InApp)
                {
                    providerId = null; // the inbox write is idempotent: sending again cannot duplicate it
                }
                else if (_lookups.TryGetValue(channel, out var lookup) && row.GetString("To") is { } to && row.GetString("Body") is { } body)
                {
                    try
                    {
                        providerId = await lookup.FindAsync(to, body, row.GetDateTimeOffset("ClaimedAt") ?? settled, cancellationToken);
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

                row["State"] = providerId is null ? DeliveryStates.Planned : DeliveryStates.Accepted;
                row["Reason"] = providerId is null ? "resolved-not-sent" : "resolved-by-lookup";
                row["ProviderId"] = providerId ?? row.GetString("ProviderId");
                row["UpdatedAt"] = time.GetUtcNow();
                try
                {
                    await ledger.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                    _ = providerId is null ? notSent++ : found++;
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    still++; // someone else moved it meanwhile
                }
            }
        }

        return new UnknownResolution(found, notSent, still);
    }

    [LoggerMessage(LogLevel.Warning, "Could not look up unknown delivery {Partition}/{Row}: {Error}")]
    private static partial void LogLookupFailed(ILogger logger, string partition, string row, string error);
}
