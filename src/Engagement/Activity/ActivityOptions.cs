using System.ComponentModel.DataAnnotations;

namespace Engagement.Activity;

public sealed class ActivityOptions : IValidatableObject
{
    public const string SectionName = "Activity";

    /// <summary>
    /// The ops team's time zone (IANA id). Activity days, "days since" and the look-back
    /// windows are counted in this zone's calendar.
    /// </summary>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>An event stamped later than now plus this skew is rejected as malformed.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Events in one queue message, at most. Producers batch; a huge array is a bug upstream.</summary>
    [Range(1, 10_000)]
    public int MaxEventsPerMessage { get; set; } = 2_000;

    /// <summary>Partition groups of one message written at once.</summary>
    [Range(1, 64)]
    public int WriteParallelism { get; set; } = 8;

    /// <summary>
    /// Users whose activity columns and ETag each instance keeps after writing them, so a user
    /// seen again costs no read. 0 turns the cache off. See <c>Users.RecentUsersCache</c>.
    /// </summary>
    [Range(0, 10_000_000)]
    public int CachedUsers { get; set; } = 100_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!System.TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return new ValidationResult($"Activity:TimeZone '{TimeZone}' is not a known time zone id.", [nameof(TimeZone)]);
        }

        if (MaxFutureSkew < TimeSpan.Zero)
        {
            yield return new ValidationResult("Activity:MaxFutureSkew must not be negative.", [nameof(MaxFutureSkew)]);
        }
    }
}
