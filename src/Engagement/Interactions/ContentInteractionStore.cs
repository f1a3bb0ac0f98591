using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Interactions;

/// <summary>
/// The <c>contentinteractions</c> table and the only place that knows its columns: PartitionKey the user's shard,
/// RowKey <c>{userId}|{contentId}</c>, one row per user and item (<see cref="ContentInteractionRow"/>). Every write is
/// conditional (an insert, or a merge on the ETag read), so two instances or a replayed event count nothing twice.
/// One table partitioned by shard, not one table per shard like the ledger: rows are written once or twice per user
/// and item, not on every send, and the deployment's resource count stays where it is (see docs/decisions.md).
/// </summary>
public sealed class ContentInteractionStore(StorageClients storage, UserShards shards)
{
    private const int MaxAttempts = 8;

    private const string UserId = "UserId";
    private const string ContentId = "ContentId";
    private const string DeliveryId = "DeliveryId";
    private const string CampaignId = "CampaignId";
    private const string Categories = "Categories";
    private const string FirstOpenedAt = "FirstOpenedAt";
    private const string FirstClickedAt = "FirstClickedAt";

    /// <summary>Records one interaction; what it counted (nothing when the user's row already says as much).</summary>
    public async Task<ContentInteractionCount> RecordAsync(ContentInteractionSeen seen, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var (partition, rowKey) = (shards.Of(seen.UserId), RowKey(seen.UserId, seen.ContentId));
        for (var attempt = 1; ; attempt++)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
            var before = read.HasValue && read.Value is { } e ? FromEntity(e) : null;
            if (ContentInteractionRow.After(before, seen) is not { } after)
            {
                return new ContentInteractionCount(false, false);
            }

            try
            {
                var entity = ToEntity(partition, after);
                _ = before is null
                    ? await table.AddEntityAsync(entity, cancellationToken)
                    : await table.UpdateEntityAsync(entity, before.ETag, TableUpdateMode.Replace, cancellationToken);
                return ContentInteractionRow.Counted(before, after);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // another instance wrote the row between our read and write: decide again on what it wrote
            }
        }
    }

    /// <summary>
    /// The rows of <paramref name="userIds"/> with an open or click at or after <paramref name="since"/>: one query per
    /// shard of the users (the time filter runs on the service; rows of other users of the shard are dropped here).
    /// </summary>
    public async Task<IReadOnlyList<ContentInteractionRow>> SinceAsync(IReadOnlyCollection<string> userIds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var wanted = userIds.ToHashSet(StringComparer.Ordinal);
        var at = since.ToUniversalTime();
        var after = TableClient.CreateQueryFilter($"{at}");
        var perShard = await Task.WhenAll(wanted.Select(shards.Of).Distinct(StringComparer.Ordinal).Select(shard => QueryAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {shard}") + $" and ({FirstOpenedAt} ge {after} or {FirstClickedAt} ge {after})",
            cancellationToken)));
        return [.. perShard.SelectMany(rows => rows).Where(r => wanted.Contains(r.UserId))];
    }

    /// <summary>Every row credited to <paramref name="campaignId"/> (its earliest interaction came through it): one query per shard.</summary>
    public async Task<IReadOnlyList<ContentInteractionRow>> OfCampaignAsync(string campaignId, CancellationToken cancellationToken)
    {
        var perShard = await Task.WhenAll(shards.All.Select(shard => QueryAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {shard}") + $" and {CampaignId} eq " + TableClient.CreateQueryFilter($"{campaignId}"),
            cancellationToken)));
        return [.. perShard.SelectMany(rows => rows)];
    }

    /// <summary>One user's row for one item; null when they never opened or clicked it.</summary>
    public async Task<ContentInteractionRow?> FindAsync(string userId, string contentId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var read = await table.GetEntityIfExistsAsync<TableEntity>(shards.Of(userId), RowKey(userId, contentId), cancellationToken: cancellationToken);
        return read.HasValue && read.Value is { } e ? FromEntity(e) : null;
    }

    private async Task<List<ContentInteractionRow>> QueryAsync(string filter, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var rows = new List<ContentInteractionRow>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            rows.Add(FromEntity(e));
        }

        return rows;
    }

    private Task<TableClient> TableAsync(CancellationToken ct) => storage.TableAsync(TableNames.ContentInteractions, ct);

    // the ids are columns too: a user id may hold '|', so the key alone does not split back
    private static string RowKey(string userId, string contentId) => userId + "|" + contentId;

    private static TableEntity ToEntity(string partition, ContentInteractionRow r)
    {
        var e = new TableEntity(partition, RowKey(r.UserId, r.ContentId))
        {
            [UserId] = r.UserId,
            [ContentId] = r.ContentId,
            [DeliveryId] = r.DeliveryId,
            [CampaignId] = r.CampaignId,
            [Categories] = string.Join(';', r.Categories),
            [FirstOpenedAt] = r.FirstOpenedAt.ToUniversalTime(),
        };
        if (r.FirstClickedAt is { } clicked)
        {
            e[FirstClickedAt] = clicked.ToUniversalTime();
        }

        return e;
    }

    private static ContentInteractionRow FromEntity(TableEntity e) => new()
    {
        UserId = e.GetString(UserId) ?? "",
        ContentId = e.GetString(ContentId) ?? "",
        DeliveryId = e.GetString(DeliveryId) ?? "",
        CampaignId = e.GetString(CampaignId) ?? "",
        Categories = e.GetString(Categories) is { Length: > 0 } joined ? joined.Split(';') : [],
        FirstOpenedAt = e.GetDateTimeOffset(FirstOpenedAt) ?? DateTimeOffset.MinValue,
        FirstClickedAt = e.GetDateTimeOffset(FirstClickedAt),
        ETag = e.ETag,
    };
}
