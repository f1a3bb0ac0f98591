namespace Engagement.Messaging;

/// <summary>
/// The message itself is wrong (bad JSON, a rule broken): retrying cannot help, so it is recorded
/// and dead-lettered at once instead of being retried up to the dequeue limit.
/// </summary>
public sealed class MalformedMessageException : Exception
{
    public MalformedMessageException(string message)
        : base(message)
    {
    }

    public MalformedMessageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
