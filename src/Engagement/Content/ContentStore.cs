using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Content;

/// <summary>How an upsert changed the catalogue: items it added, items it replaced in place.</summary>
public sealed record ContentUpsert(int New, int Updated);

/// <summary>
/// The <c>content</c> table (rows: <see cref="ContentRows"/>): the catalogue, one partition keyed by item id. Items are
/// written whole (upsert-replace, 100 a transaction), so importing an item again replaces it in place; nothing is deleted
/// (an item is retired by ending its window). The catalogue is small (about a thousand items): reads take the partition.
/// </summary>
public sealed class ContentStore(StorageClients storage)
{
    public const int ItemsPerTransaction = 100;

    /// <summary>Writes every item, replacing one with the same id; counts which ids were new (one key-only read first).</summary>
    /// <exception cref="ArgumentException">An id a table key cannot hold, or one given twice (one transaction cannot hold both).</exception>
    public async Task<ContentUpsert> UpsertAsync(IReadOnlyList<ContentItem> items, CancellationToken ct)
    {
        foreach (var item in items)
        {
            if (!TableKeys.IsValid(item.Id, out var why))
            {
                throw new ArgumentException($"content id '{item.Id}' {why}", nameof(items));
            }
        }

        if (items.GroupBy(i => i.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"content id '{twice.Key}' is given twice", nameof(items));
        }

        var table = await storage.TableAsync(TableNames.Content, ct);
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(PartitionFilter, select: ["RowKey"], cancellationToken: ct))
        {
            existing.Add(e.RowKey);
        }

        foreach (var chunk in items.Chunk(ItemsPerTransaction))
        {
            await table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ContentRows.ToEntity(i))), ct);
        }

        var updated = items.Count(i => existing.Contains(i.Id));
        return new ContentUpsert(items.Count - updated, updated);
    }

    /// <summary>Every item, by id.</summary>
    public async Task<IReadOnlyList<ContentItem>> ListAsync(CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Content, ct);
        var items = new List<ContentItem>();
        await foreach (var e in table.QueryAsync<TableEntity>(PartitionFilter, maxPerPage: 1000, cancellationToken: ct))
        {
            items.Add(ContentRows.FromEntity(e));
        }

        return items;
    }

    /// <summary>The items of <paramref name="ids"/> that exist, by id (a point read each: a message names few).</summary>
    public async Task<IReadOnlyDictionary<string, ContentItem>> FindAsync(IEnumerable<string> ids, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Content, ct);
        var found = new Dictionary<string, ContentItem>(StringComparer.Ordinal);
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(ContentRows.Partition, id, cancellationToken: ct);
            if (row.HasValue && row.Value is { } e)
            {
                found[id] = ContentRows.FromEntity(e);
            }
        }

        return found;
    }

    /// <summary>The items whose window holds <paramref name="at"/> (from inclusive, until exclusive): never one past or before it.</summary>
    public async Task<IReadOnlyList<ContentItem>> ActiveAsync(DateTimeOffset at, CancellationToken ct) =>
        [.. (await ListAsync(ct)).Where(i => i.IsActiveAt(at))];

    private static string PartitionFilter => TableClient.CreateQueryFilter($"PartitionKey eq {ContentRows.Partition}");
}
