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

    public DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    public int DayOf(DateTimeOffset instant) => DateOf(instant).DayNumber;

    /// <summary>The first instant of a local date in the zone (midnight; DST gaps resolved forward).</summary>
    public DateTimeOffset StartOf(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        while (Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        // an ambiguous midnight (clocks go back over it) happens twice: the day starts at the first,
        // which carries the larger (daylight) offset
        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
