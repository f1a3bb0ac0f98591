using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Messaging;

public enum MessageOutcome
{
    Handled,
    DeadLettered,
}

/// <summary>
/// The one policy for every queue message, used by the Functions triggers and the CLI's pump alike:
/// decode (base64 or plain), run the handler; bad input is recorded and dead-lettered at once;
/// any other failure is rethrown so the queue redelivers it, and on the last allowed delivery it is
/// recorded and dead-lettered instead. Nothing is dropped silently.
/// </summary>
public sealed partial class QueueMessageProcessor(DeadLetters deadLetters, IOptions<QueueOptions> options, ILogger<QueueMessageProcessor> log)
{
    private readonly int _maxDequeueCount = options.Value.MaxDequeueCount;

    public async Task<MessageOutcome> ProcessAsync(QueueEnvelope message, Func<QueueEnvelope, string, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        try
        {
            await handler(message, message.DecodeBody(), cancellationToken);
            return MessageOutcome.Handled;
        }
        catch (MalformedMessageException ex)
        {
            await deadLetters.DeadLetterAsync(message, "malformed: " + ex.Message, cancellationToken);
            return MessageOutcome.DeadLettered;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && message.DequeueCount >= _maxDequeueCount)
        {
            await deadLetters.DeadLetterAsync(message, $"failed {message.DequeueCount} deliveries; last error: {ex.GetType().Name}: {ex.Message}", cancellationToken);
            return MessageOutcome.DeadLettered;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWillRetry(log, message.Queue, message.MessageId, message.DequeueCount, _maxDequeueCount, ex);
            throw;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Message {MessageId} on {Queue} failed delivery {DequeueCount} of {MaxDequeueCount}; the queue will redeliver it")]
    private static partial void LogWillRetry(ILogger logger, string queue, string messageId, long dequeueCount, int maxDequeueCount, Exception exception);
}
