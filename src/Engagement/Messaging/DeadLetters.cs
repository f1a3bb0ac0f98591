using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Engagement.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Messaging;

/// <summary>
/// Where bad or exhausted messages go: a row in the <c>errors</c> table (what went wrong, a copy
/// of the message) and the original text on <c>&lt;queue&gt;-poison</c>, the queue the Functions
/// host uses too, so operators have one place to look and replay from.
/// </summary>
public sealed partial class DeadLetters(StorageClients storage, TimeProvider time, ILogger<DeadLetters> log)
{
    // a string property holds 32K UTF-16 characters; the poison queue keeps the whole message
    private const int MaxCopyChars = 30_000;

    public async Task DeadLetterAsync(QueueEnvelope message, string error, CancellationToken cancellationToken)
    {
        await RecordAsync(message, error, cancellationToken);
        var poison = await storage.QueueAsync(QueueNames.Poison(message.Queue), cancellationToken);
        await poison.SendMessageAsync(message.RawBody, cancellationToken);
        LogDeadLettered(log, message.Queue, message.MessageId, error);
    }

    public async Task RecordAsync(QueueEnvelope message, string error, CancellationToken cancellationToken)
    {
        var errors = await storage.TableAsync(TableNames.Errors, cancellationToken);
        var now = time.GetUtcNow();
        // newest first within a source: inverted ticks, then the message id for uniqueness
        var rowKey = (DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + SafeKey(message.MessageId);
        var row = new TableEntity(message.Queue, rowKey)
        {
            ["MessageId"] = message.MessageId,
            ["Error"] = Truncate(error, 8_000),
            ["Message"] = Truncate(message.RawBody, MaxCopyChars),
            ["MessageHash"] = BodyHash(message.RawBody),
            ["MessageLength"] = message.RawBody.Length,
            ["DequeueCount"] = message.DequeueCount,
            ["OccurredAt"] = now,
        };
        await errors.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>
    /// SHA-256 of the whole body (UTF-8, hex): what ties an errors row to its poison message, which gets a new
    /// message id and may be longer than the row's copy.
    /// </summary>
    internal static string BodyHash(string body) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    private static string SafeKey(string id) => TableKeys.IsValid(id, out _) ? id : Convert.ToHexString(Encoding.UTF8.GetBytes(id))[..Math.Min(64, id.Length * 2)];

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(LogLevel.Warning, "Dead-lettered message {MessageId} from {Queue}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string queue, string messageId, string error);
}
