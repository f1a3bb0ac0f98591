using System.Globalization;
using Engagement.Activity;
using Engagement.Users;

namespace Engagement.Local.Demo;

/// <summary>
/// Synthetic users shaped like the ops playbook (../shared/domain.md): a latent habit per user —
/// champions, engaged, casual, lapsed, never active — drives daily activity, interests and spend
/// over the look-back days. Deterministic for a seed, and per user, so the next day's events can
/// be generated for the same people without keeping them in memory.
/// </summary>
public sealed class DemoPopulation(int users, DateOnly lastDay, int days = 120, int seed = 2026)
{
    private static readonly string[] Interests = ["fitness", "recipes", "reading", "travel", "toys", "beauty", "tech", "parenting"];
    private static readonly string[] Zones = ["Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "America/New_York", "Europe/London"];

    public int Users => users;

    /// <summary>The categories the users' habits are interested in (the demo catalogue covers each).</summary>
    public static IReadOnlyList<string> Categories => Interests;

    /// <summary>The interest of a user's habit (most of their interactions and all their purchases are in it); null for a user not of the population (a referred friend).</summary>
    public string? InterestOf(string userId) =>
        userId.StartsWith('u') && int.TryParse(userId.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < users ? HabitOf(i).Interest : null;

    public DateOnly LastDay => lastDay;

    public static string UserId(int index) => "u" + index.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Every user with profile and aggregates, built by applying their generated events.</summary>
    public IEnumerable<UserRecord> Generate(ActivityCalendar calendar)
    {
        for (var i = 0; i < users; i++)
        {
            var habit = HabitOf(i);
            var record = new UserRecord { UserId = UserId(i), Profile = ProfileOf(i, habit, calendar) };
            for (var d = days - 1; d >= 0; d--)
            {
                foreach (var e in EventsOn(i, habit, lastDay.AddDays(-d), calendar))
                {
                    record.Activity.Apply(e, lastDay.AddDays(-d).DayNumber);
                }
            }

            yield return record;
        }
    }

    /// <summary>
    /// The growth points user <paramref name="i"/> would hold from the 12 months before the demo's first day had their
    /// activity been earning (the generated history goes straight into the users table, past the ingest that earns):
    /// their habit's expected active days in that time at a login, 0.6 interactions and their purchase rate a day. The
    /// demo's members then span the level bands (member day) as an app with a past would.
    /// </summary>
    public long OpeningPoints(int i, Func<ActivityType, int> earn)
    {
        var habit = HabitOf(i);
        var activeDays = Math.Max(0, Math.Min(365, habit.RegisteredDaysAgo) - Math.Min(365, habit.ActiveUntilDaysAgo));
        var perActiveDay = earn(ActivityType.Login) + (0.6 * earn(ActivityType.Interaction)) + (habit.PurchasePerActiveDay * earn(ActivityType.Purchase));
        return (long)Math.Round(activeDays * habit.DailyActive * perActiveDay);
    }

    /// <summary>Events of every user on one day (e.g. the day after <see cref="LastDay"/>, to ingest through the queue).</summary>
    public IEnumerable<ActivityEvent> EventsOn(DateOnly day, ActivityCalendar calendar)
    {
        for (var i = 0; i < users; i++)
        {
            foreach (var e in EventsOn(i, HabitOf(i), day, calendar))
            {
                yield return e;
            }
        }
    }

    private sealed record Habit(string Kind, double DailyActive, double PurchasePerActiveDay, double MeanSpend, int ActiveUntilDaysAgo, int RegisteredDaysAgo, string Interest);

    private Habit HabitOf(int i)
    {
        var rng = new Random(Seed(seed, i, 17));
        var roll = rng.NextDouble();
        var interest = Interests[rng.Next(Interests.Length)];
        var registered = rng.NextDouble() < 0.06 ? rng.Next(0, days) : days + rng.Next(0, 700);
        return roll switch
        {
            < 0.15 => new Habit("champion", Range(rng, 0.3, 0.8), Range(rng, 0.06, 0.18), 120, 0, registered, interest),
            < 0.45 => new Habit("engaged", Range(rng, 0.1, 0.35), Range(rng, 0.03, 0.10), 70, 0, registered, interest),
            < 0.83 => new Habit("casual", Range(rng, 0.02, 0.12), Range(rng, 0.0, 0.06), 45, 0, registered, interest),
            < 0.98 => new Habit("lapsed", Range(rng, 0.05, 0.3), Range(rng, 0.0, 0.05), 40, rng.Next(25, days), registered, interest),
            _ => new Habit("never", 0, 0, 0, int.MaxValue, registered, interest),
        };
    }

    /// <summary>
    /// A seed from three numbers that is the same in every process (HashCode.Combine is randomised
    /// per process, which made "the same seed gives the same population" false across runs).
    /// </summary>
    internal static int Seed(int a, int b, int c)
    {
        var h = 0xCBF29CE484222325UL;
        foreach (var v in new[] { a, b, c })
        {
            h = (h ^ (uint)v) * 0x100000001B3UL;
            h ^= h >> 29; // splitmix-style finaliser step so nearby users get unrelated streams
            h *= 0xBF58476D1CE4E5B9UL;
        }

        return (int)(h ^ (h >> 32));
    }

    private static double Range(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    private UserProfile ProfileOf(int i, Habit habit, ActivityCalendar calendar)
    {
        var rng = new Random(Seed(seed, i, 31));
        return new UserProfile
        {
            // 13x/15x/18x mobile ranges are valid CN numbers
            Phone = rng.NextDouble() < 0.9 ? "+86" + (new[] { "138", "139", "150", "186" })[rng.Next(4)] + rng.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture) : null,
            PushToken = rng.NextDouble() < 0.7 ? "demo-token-" + i.ToString(CultureInfo.InvariantCulture) : null,
            TimeZone = Zones[rng.Next(Zones.Length)],
            ConsentSms = rng.NextDouble() < 0.6,
            ConsentPush = rng.NextDouble() < 0.75,
            ConsentInApp = true,
            Interests = habit.Interest,
            RegisteredOn = calendar.StartOf(lastDay.AddDays(-habit.RegisteredDaysAgo)).AddHours(rng.Next(8, 22)),
            Source = "demo",
        };
    }

    private IEnumerable<ActivityEvent> EventsOn(int i, Habit habit, DateOnly day, ActivityCalendar calendar)
    {
        var daysAgo = lastDay.DayNumber - day.DayNumber;
        if (daysAgo > habit.RegisteredDaysAgo || (habit.ActiveUntilDaysAgo > 0 && daysAgo < habit.ActiveUntilDaysAgo))
        {
            yield break;
        }

        var rng = new Random(Seed(seed, i, day.DayNumber));
        // weekends and the member day (18th) lift activity, as the playbook reports
        var lift = (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1.15 : 1.0) * (day.Day == 18 ? 1.6 : 1.0);
        if (rng.NextDouble() >= Math.Min(0.98, habit.DailyActive * lift))
        {
            yield break;
        }

        var userId = UserId(i);
        var stamp = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var at = calendar.StartOf(day).AddMinutes(rng.Next(7 * 60, 23 * 60));
        yield return new ActivityEvent($"{userId}-{stamp}-l", userId, ActivityType.Login, 0, null, at);
        if (rng.NextDouble() < 0.6)
        {
            yield return new ActivityEvent($"{userId}-{stamp}-i", userId, ActivityType.Interaction, 0, rng.NextDouble() < 0.8 ? habit.Interest : Interests[rng.Next(Interests.Length)], at.AddMinutes(3));
        }

        if (rng.NextDouble() < habit.PurchasePerActiveDay)
        {
            // log-normal-ish basket around the habit's mean, in cents
            var amount = (long)Math.Round(habit.MeanSpend * Math.Exp(0.6 * Gaussian(rng)) * 100);
            yield return new ActivityEvent($"{userId}-{stamp}-p", userId, ActivityType.Purchase, Math.Max(100, amount), habit.Interest, at.AddMinutes(9));
        }
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
