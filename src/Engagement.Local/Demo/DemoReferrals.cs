using Engagement.Activity;

namespace Engagement.Local.Demo;

/// <summary>
/// Simulated referrals for the month demo (demo assumptions, printed with the others): a few users are "ambassadors"
/// who each day invite a new friend with some chance; a friend signs up with the referral (a new user, created by the
/// ingest) and comes back on each following day with some chance. Deterministic per seed, so a rerun tells the same story.
/// </summary>
public sealed class DemoReferrals(int users, DateOnly first, int seed, double ambassadorShare = 0.002, double invitePerDay = 0.15, double friendReturnPerDay = 0.2)
{
    public int Ambassadors => Math.Max(1, (int)(users * ambassadorShare));

    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Ambassadors:N0} users invite a new friend on a day with {invitePerDay * 100:0}% chance; an invited friend comes back on each later day with {friendReturnPerDay * 100:0}% chance.");

    /// <summary>The day's referral events (new friends signing up) and the earlier friends' returns.</summary>
    public IEnumerable<ActivityEvent> EventsOn(DateOnly day, ActivityCalendar calendar)
    {
        var noon = calendar.StartOf(day).AddHours(12);
        for (var a = 0; a < Ambassadors; a++)
        {
            var referrer = DemoPopulation.UserId(Index(a));
            for (var d = first; d <= day; d = d.AddDays(1))
            {
                if (!Invites(a, d))
                {
                    continue;
                }

                var friend = FriendId(a, d);
                if (d == day)
                {
                    yield return new ActivityEvent("ref-" + friend, friend, ActivityType.Referral, 0, null, noon.AddMinutes(a % 60), referrer);
                }
                else if (Returns(friend, day))
                {
                    yield return new ActivityEvent($"fr-{friend}-{day:yyyyMMdd}", friend, ActivityType.Login, 0, null, noon.AddHours(2));
                }
            }
        }
    }

    private bool Invites(int ambassador, DateOnly day) => Chance(ambassador, day.DayNumber, 1) < invitePerDay;

    private bool Returns(string friend, DateOnly day) => Chance(DemoReactions.StableHash(friend), day.DayNumber, 2) < friendReturnPerDay;

    private double Chance(int a, int b, int salt) => new Random(DemoPopulation.Seed(seed ^ salt, a, b)).NextDouble();

    // ambassadors spread over the population (users are generated with mixed habits by index)
    private int Index(int ambassador) => (int)((long)ambassador * users / Ambassadors);

    private static string FriendId(int ambassador, DateOnly day) => $"friend-{ambassador:D4}-{day:yyyyMMdd}";
}
