namespace Engagement.Activity;

/// <summary>
/// The instant a wall-clock time has on a given date in a zone, computed for that date (its own
/// offset, never one taken on another day). The one written rule for the two times a clock change
/// makes odd, used by quiet hours and by scheduled steps alike:
/// <list type="bullet">
/// <item>a local time that does not exist (clocks jump forward over it) becomes the first minute
/// after the jump: 02:30 on a night that skips 02:00-03:00 is 03:00, the same day;</item>
/// <item>a local time that happens twice (clocks go back over it) is the first of the two.</item>
/// </list>
/// Either way the instant stays on the asked local date.
/// </summary>
public static class LocalInstant
{
    public static DateTimeOffset Of(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        // ambiguous: the larger offset is the earlier instant
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    public static DateTimeOffset Of(DateOnly date, TimeOnly time, TimeZoneInfo zone) => Of(date.ToDateTime(time), zone);

    /// <summary>The local date of an instant in the zone.</summary>
    public static DateOnly DateOf(DateTimeOffset instant, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
}
