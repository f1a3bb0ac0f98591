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

        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }
}
