using Microsoft.Extensions.Options;

namespace Engagement.Activity;

/// <summary>
/// Turns instants into calendar days in the ops team's zone. A "day" is the zone's local date;
/// aggregates store it as <see cref="DateOnly.DayNumber"/>.
/// </summary>
public sealed class ActivityCalendar
{
    public ActivityCalendar(IOptions<ActivityOptions> options)
        : this(TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone))
    {
    }

    public ActivityCalendar(TimeZoneInfo zone) => Zone = zone;

    public TimeZoneInfo Zone { get; }

    public DateOnly DateOf(DateTimeOffset instant) => LocalInstant.DateOf(instant, Zone);

    /// <summary>A user's zone by its IANA id, or the ops zone when the user has none (or one this machine does not know).</summary>
    public TimeZoneInfo ZoneOr(string? userZone) =>
        userZone is { Length: > 0 } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : Zone;

    public int DayOf(DateTimeOffset instant) => DateOf(instant).DayNumber;

    /// <summary>The first instant of a local date in the zone: midnight, by <see cref="LocalInstant"/>'s rule (a skipped midnight: the first minute after the jump; a doubled one: the first).</summary>
    public DateTimeOffset StartOf(DateOnly date) => LocalInstant.Of(date, TimeOnly.MinValue, Zone);
}
