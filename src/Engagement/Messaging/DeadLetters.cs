using Engagement.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Messaging;

/// <summary>
/// Where bad or exhausted messages go: a row in the <c>errors</c> table (<see cref="ErrorStore"/>: what went
/// wrong, a copy of the message) and the original text on <c>&lt;queue&gt;-poison</c>, the queue the Functions
/// host uses too, so operators have one place to look and replay from.
/// </summary>
public sealed partial class DeadLetters(ErrorStore errors, StorageClients storage, ILogger<DeadLetters> log)
{
    public async Task DeadLetterAsync(QueueEnvelope message, string error, CancellationToken cancellationToken)
    {
        await RecordAsync(message, error, cancellationToken);
        var poison = await storage.QueueAsync(QueueNames.Poison(message.Queue), cancellationToken);
        await poison.SendMessageAsync(message.RawBody, cancellationToken);
        LogDeadLettered(log, message.Queue, message.MessageId, error);
    }

    /// <summary>Only the errors row, for what is not dead-lettered: a handled message with a problem, a refused webhook request.</summary>
    public Task RecordAsync(QueueEnvelope message, string error, CancellationToken cancellationToken) =>
        errors.AddAsync(message, error, cancellationToken);

    [LoggerMessage(LogLevel.Warning, "Dead-lettered message {MessageId} from {Queue}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string queue, string messageId, string error);
}
