using System.ComponentModel.DataAnnotations;

namespace Engagement.Delivery;

public sealed class DeliveryOptions : IValidatableObject
{
    public const string SectionName = "Delivery";

    /// <summary>Recipients per <c>deliveries</c> message: 400 keeps queue operations near 0.0075 per recipient.</summary>
    [Range(1, 1_000)]
    public int ChunkSize { get; set; } = 400;

    /// <summary>Recipients of one chunk handled at once (their outcome writes share batch transactions).</summary>
    [Range(1, 256)]
    public int SendParallelism { get; set; } = 32;

    /// <summary>No SMS or push from this local time in the user's own zone...</summary>
    public TimeOnly QuietHoursStart { get; set; } = new(21, 0);

    /// <summary>...until this one (deferred to it, not dropped). Equal start and end: no quiet hours.</summary>
    public TimeOnly QuietHoursEnd { get; set; } = new(9, 0);

    /// <summary>Marketing messages per user across channels within <see cref="CapWindowDays"/>, at most.</summary>
    [Range(1, 100)]
    public int CapMessages { get; set; } = 3;

    [Range(1, 60)]
    public int CapWindowDays { get; set; } = 7;

    /// <summary>SMS to a dormant user per calendar month (the user's own), at most.</summary>
    [Range(0, 31)]
    public int DormantSmsPerMonth { get; set; } = 1;

    /// <summary>
    /// How long a claimed delivery (<c>sending</c>) belongs to the worker that claimed it. Longer
    /// than any send can take (timeouts and paced retries included); after it, a row still in
    /// <c>sending</c> was left by a crash and becomes <c>unknown</c>.
    /// </summary>
    public TimeSpan SendLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When a provider surely did not take a message (throttled, unreachable, breaker open), the chunk comes back after this.</summary>
    public TimeSpan NotSentRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An <c>unknown</c> delivery is looked up at the provider only after this long, so its records have settled.</summary>
    public TimeSpan UnknownResolveAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The tier the monthly SMS cap applies to.</summary>
    public string DormantTier { get; set; } = "dormant";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CapWindowDays > 35)
        {
            yield return new ValidationResult("Delivery:CapWindowDays must be at most 35 (the touch log keeps 35 days).", [nameof(CapWindowDays)]);
        }
    }
}
