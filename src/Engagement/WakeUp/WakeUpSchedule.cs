using Engagement.Activity;

namespace Engagement.WakeUp;

/// <summary>When one step of a plan is due and until when it can be done.</summary>
/// <param name="Step">1 to 7.</param>
/// <param name="LocalDate">The user's k-th local day of the plan.</param>
/// <param name="SendAt">The configured local time on that date, as an instant (<see cref="LocalInstant"/>'s rule).</param>
/// <param name="ClosesAt">The end of that local day (the next day's first instant): a step not done by then stays missed.</param>
public sealed record WakeUpStepTime(int Step, DateOnly LocalDate, DateTimeOffset SendAt, DateTimeOffset ClosesAt);

/// <summary>
/// A plan's seven step times in the user's zone. Each step's instant is computed on its own date, so a
/// clock change during the plan moves no step to another local day or hour (computing the offset once
/// at the start fires an hour off after the change).
/// </summary>
public static class WakeUpSchedule
{
    /// <summary>
    /// Steps 1..7 from <paramref name="firstDay"/> (the plan's first local day) at <paramref name="localTime"/>.
    /// Step 1 of a plan that starts after that day's send time goes out at once: the caller decides the
    /// first day (today if the send time is still ahead, otherwise tomorrow, see <see cref="FirstDay"/>).
    /// </summary>
    public static IReadOnlyList<WakeUpStepTime> Of(DateOnly firstDay, TimeOnly localTime, TimeZoneInfo zone) =>
        [.. Enumerable.Range(1, WakeUpOptions.Steps).Select(step =>
        {
            var date = firstDay.AddDays(step - 1);
            return new WakeUpStepTime(step, date, LocalInstant.Of(date, localTime, zone), LocalInstant.Of(date.AddDays(1), TimeOnly.MinValue, zone));
        })];

    /// <summary>The first local day of a plan started at <paramref name="now"/>: today while today's send time is ahead, else tomorrow.</summary>
    public static DateOnly FirstDay(DateTimeOffset now, TimeOnly localTime, TimeZoneInfo zone)
    {
        var today = LocalInstant.DateOf(now, zone);
        return LocalInstant.Of(today, localTime, zone) > now ? today : today.AddDays(1);
    }
}
