using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Delivery;

/// <summary>One in-app message as the app shows it.</summary>
public sealed record InboxMessage(string CampaignId, int Occurrence, string? Title, string Body, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, bool Read);

/// <summary>The engine API over the <c>inbox</c> table (written by <see cref="InAppSender"/>): a user's messages, newest first, and marking one read.</summary>
public sealed class Inbox(StorageClients storage, TimeProvider time)
{
    public async Task<IReadOnlyList<InboxMessage>> ListAsync(string userId, bool includeExpired, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Inbox, cancellationToken);
        var now = time.GetUtcNow();
        var messages = new List<InboxMessage>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {userId}"), cancellationToken: cancellationToken))
        {
            var separator = e.RowKey.LastIndexOf('|');
            var message = new InboxMessage(
                e.RowKey[..separator],
                int.Parse(e.RowKey[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture),
                e.GetString("Title"),
                e.GetString("Body") ?? "",
                e.GetDateTimeOffset("CreatedAt") ?? default,
                e.GetDateTimeOffset("ExpiresAt"),
                e.GetBoolean("Read") ?? false);
            if (includeExpired || message.ExpiresAt is not { } expires || expires > now)
            {
                messages.Add(message);
            }
        }

        return [.. messages.OrderByDescending(m => m.CreatedAt)];
    }

    public async Task MarkReadAsync(string userId, string campaignId, int occurrence, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Inbox, cancellationToken);
        await table.UpdateEntityAsync(new TableEntity(userId, $"{campaignId}|{occurrence}") { ["Read"] = true }, Azure.ETag.All, TableUpdateMode.Merge, cancellationToken);
    }
}
