using Azure.Core;
using Azure.Core.Pipeline;

namespace Engagement.Storage;

/// <summary>
/// Counts HTTP requests to storage (every page, transaction, message and retry), process-wide
/// and per logical operation, so runs can report storage round-trips per 1,000 users.
/// Added to the Table and Queue clients per retry, so a retried request counts twice.
/// </summary>
public sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    private static readonly AsyncLocal<Scope?> Current = new();
    private long _total;
    private long _queue;

    public StorageRequestCounter() => Queues = new QueueCounter(this);

    public long Total => Interlocked.Read(ref _total);

    /// <summary>The queue requests among <see cref="Total"/> (sends, receives, deletes, visibility updates).</summary>
    public long QueueTotal => Interlocked.Read(ref _queue);

    /// <summary>The policy for queue clients: counts in <see cref="Total"/> and in <see cref="QueueTotal"/>.</summary>
    public HttpPipelineSynchronousPolicy Queues { get; }

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _total);
        for (var scope = Current.Value; scope is not null; scope = scope.Parent)
        {
            scope.Increment();
        }
    }

    private sealed class QueueCounter(StorageRequestCounter owner) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            Interlocked.Increment(ref owner._queue);
            owner.OnSendingRequest(message);
        }
    }

    /// <summary>Counts the requests made by the calling async flow until disposed. Scopes nest.</summary>
    public static Scope BeginScope() => Current.Value = new Scope(Current.Value);

    public sealed class Scope : IDisposable
    {
        private long _count;

        internal Scope(Scope? parent) => Parent = parent;

        internal Scope? Parent { get; }

        public long Count => Interlocked.Read(ref _count);

        internal void Increment() => Interlocked.Increment(ref _count);

        public void Dispose()
        {
            if (Current.Value == this)
            {
                Current.Value = Parent;
            }
        }
    }
}
