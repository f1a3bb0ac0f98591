using System.ComponentModel.DataAnnotations;

namespace Engagement.Messaging;

public sealed class QueueOptions
{
    public const string SectionName = "Queues";

    /// <summary>Deliveries before a failing message is dead-lettered. Must equal host.json's queues.maxDequeueCount.</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;
}
