using System.Globalization;
using NCrontab;

namespace Engagement.Playbooks;

/// <summary>A schedule occurrence and the run it belongs to: <c>winback-2026-12</c> is the winback run of December in the ops zone.</summary>
public sealed record PlaybookOccurrence(string Playbook, DateTimeOffset At, string Period, string RunId);

/// <summary>
/// Pure schedule arithmetic. The schedule is NCRONTAB in UTC (as the host reads it); the period is
/// the ops zone's month, ISO week or day of the occurrence, so "the 1st 10:00 Shanghai" (02:00 UTC)
/// belongs to the month it is the 1st of, and a run id names that period whichever clock fires it.
/// </summary>
public sealed class PlaybookSchedule
{
    // growing look-back windows: a frequent schedule is found in the first, a monthly one in the third
    private static readonly TimeSpan[] LookBack = [TimeSpan.FromHours(2), TimeSpan.FromDays(2), TimeSpan.FromDays(40), TimeSpan.FromDays(400), TimeSpan.FromDays(3000)];

    /// <summary>The timer's app setting (%PlaybookSchedule%): how often due runs are looked for.</summary>
    public const string TimerSettingName = "PlaybookSchedule";

    /// <summary>Every 10 minutes: a run starts at most 10 minutes after its occurrence (02:00 UTC is one of them).</summary>
    public const string TimerDefault = "0 */10 * * * *";

    private readonly CrontabSchedule _schedule;
    private readonly TimeZoneInfo _zone;

    public PlaybookSchedule(string playbook, string expression, PlaybookPeriod period, TimeZoneInfo zone)
    {
        Playbook = playbook;
        _schedule = Parse(expression) ?? throw new FormatException($"'{expression}' is not a six-field NCRONTAB expression (sec min hour day month weekday), in UTC.");
        Period = period;
        _zone = zone;
    }

    /// <summary>A playbook's schedule as its settings give it, counted in the ops zone.</summary>
    public static PlaybookSchedule Of(string playbook, PlaybookDefinition definition, TimeZoneInfo opsZone) =>
        new(playbook, definition.Schedule, definition.Period, opsZone);

    public string Playbook { get; }

    public PlaybookPeriod Period { get; }

    /// <summary>Parses as the Functions host does (NCrontab with seconds); null when it does not parse.</summary>
    public static CrontabSchedule? Parse(string expression) =>
        CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    /// <summary>The latest occurrence at or before <paramref name="now"/> (a catch-up after downtime starts only this one); null before the first.</summary>
    public PlaybookOccurrence? Latest(DateTimeOffset now)
    {
        var end = now.UtcDateTime.AddTicks(1); // NCrontab's end is exclusive; an occurrence at now counts
        foreach (var window in LookBack)
        {
            var start = end - window;
            DateTime? last = null;
            foreach (var at in _schedule.GetNextOccurrences(start.AddTicks(-1), end))
            {
                last = at;
            }

            if (last is { } found)
            {
                return Occurrence(new DateTimeOffset(DateTime.SpecifyKind(found, DateTimeKind.Utc)));
            }
        }

        return null;
    }

    /// <summary>The next occurrence after <paramref name="now"/> (for listings).</summary>
    public DateTimeOffset Next(DateTimeOffset now) =>
        new(DateTime.SpecifyKind(_schedule.GetNextOccurrence(now.UtcDateTime), DateTimeKind.Utc));

    /// <summary>The first occurrence inside a period, for a run asked for by its period (<c>--period 2026-12</c>); null when the schedule never fires in it.</summary>
    public PlaybookOccurrence? InPeriod(string period)
    {
        var (from, to) = Bounds(period);
        var at = _schedule.GetNextOccurrence(from.UtcDateTime.AddTicks(-1), to.UtcDateTime);
        return at < to.UtcDateTime ? Occurrence(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))) : null;
    }

    /// <summary>The period (in the ops zone) an instant falls in: "2026-12", "2026-W49" or "2026-12-01".</summary>
    public string PeriodOf(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, _zone).DateTime;
        return Period switch
        {
            PlaybookPeriod.Month => local.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            PlaybookPeriod.Week => $"{ISOWeek.GetYear(local):D4}-W{ISOWeek.GetWeekOfYear(local):D2}",
            _ => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The period of <paramref name="now"/> and the <paramref name="count"/> - 1 before it, newest first.</summary>
    public IEnumerable<string> RecentPeriods(DateTimeOffset now, int count)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, _zone).DateTime);
        for (var i = 0; i < count; i++)
        {
            var day = Period switch
            {
                PlaybookPeriod.Month => today.AddMonths(-i),
                PlaybookPeriod.Week => today.AddDays(-7 * i),
                _ => today.AddDays(-i),
            };
            yield return PeriodOf(new Activity.ActivityCalendar(_zone).StartOf(day));
        }
    }

    public static string RunId(string playbook, string period) => $"{playbook}-{period}";

    /// <summary>The instants a period spans in the ops zone, [from, to); throws a FormatException naming the expected form.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Bounds(string period)
    {
        DateOnly first, next;
        switch (Period)
        {
            case PlaybookPeriod.Month when DateOnly.TryParseExact(period + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out first):
                next = first.AddMonths(1);
                break;
            case PlaybookPeriod.Week when period.Length == 8 && period[4..6] == "-W"
                && int.TryParse(period[..4], NumberStyles.None, CultureInfo.InvariantCulture, out var year)
                && int.TryParse(period[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var week)
                && year is >= 1 and <= 9998 && week >= 1 && week <= ISOWeek.GetWeeksInYear(year):
                first = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday));
                next = first.AddDays(7);
                break;
            case PlaybookPeriod.Day when DateOnly.TryParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out first):
                next = first.AddDays(1);
                break;
            default:
                throw new FormatException($"period '{period}' is not a {Period.ToString().ToLowerInvariant()} (expected {Example})");
        }

        var calendar = new Activity.ActivityCalendar(_zone);
        return (calendar.StartOf(first), calendar.StartOf(next));
    }

    private string Example => Period switch { PlaybookPeriod.Month => "2026-12", PlaybookPeriod.Week => "2026-W49", _ => "2026-12-01" };

    private PlaybookOccurrence Occurrence(DateTimeOffset at)
    {
        var period = PeriodOf(at);
        return new PlaybookOccurrence(Playbook, at, period, RunId(Playbook, period));
    }
}
