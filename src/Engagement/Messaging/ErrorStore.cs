using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Messaging;

/// <summary>What an errors row says went wrong, keyed by the hash of the whole message it is about.</summary>
public sealed record RecordedError(string MessageHash, string Error);

/// <summary>
/// The <c>errors</c> table and the only place that knows its columns: PartitionKey the source (a queue, or a webhook
/// or import name), RowKey inverted ticks + message id (newest first). One row per bad or exhausted message: the
/// error, a copy of the message (its first 30,000 characters) and the hash of the whole message.
/// </summary>
public sealed class ErrorStore(StorageClients storage, TimeProvider time)
{
    // a string property holds 32K UTF-16 characters; the poison queue keeps the whole message
    private const int MaxCopyChars = 30_000;

    private const string MessageId = "MessageId";
    private const string Error = "Error";
    private const string Message = "Message";
    private const string MessageHash = "MessageHash";
    private const string MessageLength = "MessageLength";
    private const string DequeueCount = "DequeueCount";
    private const string OccurredAt = "OccurredAt";

    /// <summary>
    /// SHA-256 of the whole body (UTF-8, hex): what ties an errors row to its poison message, which gets a new
    /// message id and may be longer than the row's copy.
    /// </summary>
    public static string BodyHash(string body) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    /// <summary>Records <paramref name="error"/> for <paramref name="message"/> under its queue (the row's source).</summary>
    public async Task AddAsync(QueueEnvelope message, string error, CancellationToken cancellationToken)
    {
        var errors = await storage.TableAsync(TableNames.Errors, cancellationToken);
        var now = time.GetUtcNow();
        // newest first within a source: inverted ticks, then the message id for uniqueness
        var rowKey = (DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + SafeKey(message.MessageId);
        var row = new TableEntity(message.Queue, rowKey)
        {
            [MessageId] = message.MessageId,
            [Error] = Truncate(error, 8_000),
            [Message] = Truncate(message.RawBody, MaxCopyChars),
            [MessageHash] = BodyHash(message.RawBody),
            [MessageLength] = message.RawBody.Length,
            [DequeueCount] = message.DequeueCount,
            [OccurredAt] = now,
        };
        await errors.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>The errors of the newest rows (at most <paramref name="max"/>, one request) of <paramref name="source"/>, newest first.</summary>
    public async Task<IReadOnlyList<RecordedError>> NewestAsync(string source, int max, CancellationToken cancellationToken)
    {
        var errors = await storage.TableAsync(TableNames.Errors, cancellationToken);
        var found = new List<RecordedError>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {source}");
        await foreach (var page in errors.QueryAsync<TableEntity>(filter, max, [MessageHash, Message, Error], cancellationToken).AsPages(pageSizeHint: max))
        {
            foreach (var row in page.Values)
            {
                // rows written before MessageHash existed: their copy is the whole body when it was short enough
                var hash = row.GetString(MessageHash) ?? (row.GetString(Message) is { } copy ? BodyHash(copy) : null);
                if (hash is not null && row.GetString(Error) is { } error)
                {
                    found.Add(new RecordedError(hash, error));
                }
            }

            break; // one page only
        }

        return found;
    }

    private static string SafeKey(string id) => TableKeys.IsValid(id, out _) ? id : Convert.ToHexString(Encoding.UTF8.GetBytes(id))[..Math.Min(64, id.Length * 2)];

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
