using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Delivery;

/// <summary>One in-app message as the app shows it.</summary>
public sealed record InboxMessage(string CampaignId, int Occurrence, string? Title, string Body, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, bool Read);

/// <summary>
/// A row of the <c>inbox</c> table: the message for one user and campaign occurrence, and the ledger row it delivers.
/// <paramref name="ReadAt"/>: when it was first marked read (rows marked before it was kept have none).
/// </summary>
public sealed record InboxRow(string UserId, string CampaignId, int Occurrence, string? Title, string Body, string? DeliveryId, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, bool Read = false, DateTimeOffset? ReadAt = null);

/// <summary>
/// The <c>inbox</c> table and the only place that knows its columns: PartitionKey user id, RowKey
/// <c>{campaignId}|{occurrence}</c>. Written by <see cref="InAppSender"/>; the engine API over it lists a user's
/// messages, newest first, and marks one read.
/// </summary>
public sealed class Inbox(StorageClients storage, TimeProvider time)
{
    private const string Title = "Title";
    private const string Body = "Body";
    private const string DeliveryId = "DeliveryId";
    private const string CreatedAt = "CreatedAt";
    private const string ExpiresAt = "ExpiresAt";
    private const string Read = "Read";
    private const string ReadAt = "ReadAt";

    /// <summary>Writes the row once: the key makes it idempotent, so a second attempt (an earlier result lost) finds it there.</summary>
    /// <returns>The row's id, <c>{userId}/{campaignId}|{occurrence}</c>.</returns>
    public async Task<string> AddAsync(InboxRow row, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Inbox, cancellationToken);
        var entity = new TableEntity(row.UserId, RowKey(row.CampaignId, row.Occurrence))
        {
            [Title] = row.Title,
            [Body] = row.Body,
            [DeliveryId] = row.DeliveryId,
            [CreatedAt] = row.CreatedAt,
            [ExpiresAt] = row.ExpiresAt,
            [Read] = row.Read,
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // written by an earlier attempt whose result was lost: it is there, once
        }

        return entity.PartitionKey + "/" + entity.RowKey;
    }

    public async Task<IReadOnlyList<InboxMessage>> ListAsync(string userId, bool includeExpired, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Inbox, cancellationToken);
        var now = time.GetUtcNow();
        var messages = new List<InboxMessage>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {userId}"), cancellationToken: cancellationToken))
        {
            var row = FromEntity(e);
            var message = new InboxMessage(row.CampaignId, row.Occurrence, row.Title, row.Body, row.CreatedAt, row.ExpiresAt, row.Read);
            if (includeExpired || message.ExpiresAt is not { } expires || expires > now)
            {
                messages.Add(message);
            }
        }

        return [.. messages.OrderByDescending(m => m.CreatedAt)];
    }

    /// <summary>
    /// Marks the user's messages of <paramref name="campaignId"/> read (every occurrence; usually one) and returns them.
    /// The first mark keeps its time: marking again, or two callers at once (the merge is conditional on the ETag read),
    /// leaves <see cref="InboxRow.ReadAt"/> as it was, so what follows from a read can be keyed by it.
    /// </summary>
    public async Task<IReadOnlyList<InboxRow>> MarkReadAsync(string userId, string campaignId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Inbox, cancellationToken);
        var now = time.GetUtcNow();
        var read = new List<InboxRow>();
        // "{campaignId}|" up to "{campaignId}}" ('}' follows '|'): the campaign's occurrences, and any campaign whose id
        // continues with '|', which the exact match below drops
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {userId} and RowKey ge {campaignId + "|"} and RowKey lt {campaignId + "}"}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var row = FromEntity(e);
            if (row.CampaignId != campaignId)
            {
                continue;
            }

            if (row.Read)
            {
                read.Add(row);
                continue;
            }

            try
            {
                await table.UpdateEntityAsync(new TableEntity(e.PartitionKey, e.RowKey) { [Read] = true, [ReadAt] = now }, e.ETag, TableUpdateMode.Merge, cancellationToken);
                read.Add(row with { Read = true, ReadAt = now });
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // marked by someone else meanwhile: theirs is the first read
                read.Add(FromEntity((await table.GetEntityAsync<TableEntity>(e.PartitionKey, e.RowKey, cancellationToken: cancellationToken)).Value));
            }
        }

        return read;
    }

    private static string RowKey(string campaignId, int occurrence) => $"{campaignId}|{occurrence}";

    private static InboxRow FromEntity(TableEntity e)
    {
        var separator = e.RowKey.LastIndexOf('|');
        return new InboxRow(
            e.PartitionKey,
            e.RowKey[..separator],
            int.Parse(e.RowKey[(separator + 1)..], CultureInfo.InvariantCulture),
            e.GetString(Title),
            e.GetString(Body) ?? "",
            e.GetString(DeliveryId),
            e.GetDateTimeOffset(CreatedAt) ?? default,
            e.GetDateTimeOffset(ExpiresAt),
            e.GetBoolean(Read) ?? false,
            e.GetDateTimeOffset(ReadAt));
    }
}
