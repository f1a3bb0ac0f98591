using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Delivery;

/// <summary>Where one delivery stands. Moves only forward: planned → sending → accepted | failed | unknown; or planned → skipped | held-out.</summary>
public static class DeliveryStates
{
    public const string Planned = "planned";
    public const string HeldOut = "held-out";
    public const string Skipped = "skipped";
    public const string Sending = "sending";
    public const string Accepted = "accepted";
    public const string Failed = "failed";
    public const string Unknown = "unknown";
}

/// <summary>One delivery: the key (campaign, user, channel, occurrence) and its state.</summary>
public sealed record DeliveryKey(string CampaignId, string UserId, string Channel, int Occurrence)
{
    /// <summary>Channel and occurrence first, so within one (channel, occurrence) rows sort exactly like user ids and a chunk is one range.</summary>
    public string RowKey => RowKeyPrefix(Channel, Occurrence) + UserId;

    public static string RowKeyPrefix(string channel, int occurrence) => $"{channel}|{occurrence.ToString(CultureInfo.InvariantCulture)}|";

    public string PartitionKey(string shard) => PartitionOf(CampaignId, shard);

    /// <summary>A campaign's rows in one shard: <c>{campaignId}_{shard}</c>.</summary>
    public static string PartitionOf(string campaignId, string shard) => campaignId + "_" + shard;

    /// <summary>The shard a ledger partition belongs to (shard names have no '_', campaign ids may).</summary>
    public static string ShardOf(string partitionKey) => partitionKey[(partitionKey.LastIndexOf('_') + 1)..];

    /// <summary>The id a delivery goes by outside the ledger (message ids, provider callbacks): <c>{partition}/{row}</c>.</summary>
    public static string IdOf(TableEntity row) => row.PartitionKey + "/" + row.RowKey;

    /// <summary>Splits an <see cref="IdOf"/> id; false when it has no partition part.</summary>
    public static bool TryParseId(string id, out string partitionKey, out string rowKey)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        partitionKey = slash > 0 ? id[..slash] : "";
        rowKey = slash > 0 ? id[(slash + 1)..] : "";
        return slash > 0;
    }
}

/// <summary>
/// The ledger, one table per shard (<c>deliveries{shard}</c>, see <see cref="TableNames.DeliveriesOf"/>): PartitionKey <c>{campaignId}_{shard}</c> (a campaign's recipients in
/// one shard, written and read in batches), RowKey <c>{channel}|{occurrence}|{userId}</c> — the
/// delivery key, so a replayed plan finds its rows instead of making new ones. Rows are only
/// ever added here; state changes are ETag-conditional (see docs/decisions.md).
/// </summary>
public sealed class DeliveryLedger(StorageClients storage, TimeProvider time)
{
    /// <summary>Adds the rows that do not exist yet; existing rows (any state) are left alone. Returns how many were added.</summary>
    public async Task<int> PlanAsync(string shard, IReadOnlyList<(DeliveryKey Key, string State, string? Reason)> rows, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.DeliveriesOf(shard), cancellationToken);
        var now = time.GetUtcNow();
        var added = 0;
        foreach (var chunk in rows.Chunk(100))
        {
            var entities = chunk.Select(r => new TableEntity(r.Key.PartitionKey(shard), r.Key.RowKey)
            {
                ["CampaignId"] = r.Key.CampaignId,
                ["UserId"] = r.Key.UserId,
                ["Channel"] = r.Key.Channel,
                ["Occurrence"] = r.Key.Occurrence,
                ["State"] = r.State,
                ["Reason"] = r.Reason,
                ["PlannedAt"] = now,
            }).ToList();
            try
            {
                await table.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken);
                added += entities.Count;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                // a replay: some rows exist already (and may have moved on); add only the missing ones
                foreach (var e in entities)
                {
                    try
                    {
                        await table.AddEntityAsync(e, cancellationToken);
                        added++;
                    }
                    catch (RequestFailedException one) when (one.Status == 409)
                    {
                    }
                }
            }
        }

        return added;
    }

    /// <summary>Every ledger row of a campaign (all shards), for tests and tools.</summary>
    public async Task<List<TableEntity>> RowsAsync(string campaignId, IEnumerable<string> shards, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        foreach (var shard in shards)
        {
            var table = await storage.TableAsync(TableNames.DeliveriesOf(shard), cancellationToken);
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryKey.PartitionOf(campaignId, shard)}"), cancellationToken: cancellationToken))
            {
                rows.Add(e);
            }
        }

        return rows;
    }

    /// <summary>Counts a campaign's deliveries by channel, state and reason.</summary>
    public async Task<IReadOnlyDictionary<(string Channel, string State, string Reason), long>> CountAsync(string campaignId, IEnumerable<string> shards, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string, string, string), long>();
        foreach (var shard in shards)
        {
            var table = await storage.TableAsync(TableNames.DeliveriesOf(shard), cancellationToken);
            await foreach (var e in table.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryKey.PartitionOf(campaignId, shard)}"), select: ["Channel", "State", "Reason"], cancellationToken: cancellationToken))
            {
                var key = (e.GetString("Channel") ?? "", e.GetString("State") ?? "", e.GetString("Reason") ?? "");
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return counts;
    }
}
