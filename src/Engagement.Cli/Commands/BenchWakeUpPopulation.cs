using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Engagement.Delivery;
using Engagement.Local;
using Engagement.Segmentation;
using Engagement.Users;
using Engagement.WakeUp;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Cli.Commands;

/// <summary>
/// The wake-up bench's population, the same in both runs: <c>starters</c> users of tier potential spread evenly through
/// the ids (8 in 10 in Asia/Shanghai, 1 in America/New_York, 1 in Europe/London, so the day's steps fall in three UTC
/// hours; 7 in 10 of each zone with a push token and push consent), the rest in the other tiers.
/// </summary>
internal static class BenchWakeUpPopulation
{
    public static readonly string[] Zones = ["Asia/Shanghai", "America/New_York", "Europe/London"];

    /// <summary>When step 1 of a plan started at <paramref name="start"/> goes out in <paramref name="zone"/>, and when its local day closes.</summary>
    public static WakeUpStepTime FirstStepTime(string zone, DateTimeOffset start, WakeUpOptions o)
    {
        var z = TimeZoneInfo.FindSystemTimeZoneById(zone);
        return WakeUpSchedule.Of(WakeUpSchedule.FirstDay(start, o.LocalTime, z), o.LocalTime, z)[0];
    }

    public static string ZoneOf(int k) => k % 10 < 8 ? Zones[0] : k % 10 == 8 ? Zones[1] : Zones[2];

    // by the tens digit, not the units one, so every zone gets its 70% (the units digit picks the zone)
    private static bool HasPush(int k) => k / 10 % 10 < 7;

    /// <summary>Seeds the users; returns the potential ones' ids and how many of them have a push token.</summary>
    public static async Task<(List<string> Starters, int WithPush)> SeedAsync(LocalEngine engine, int users, int starters, CancellationToken ct)
    {
        var others = engine.Get<Microsoft.Extensions.Options.IOptions<SegmentationOptions>>().Value.Rules.Select(r => r.Tier).Where(t => t != "potential").ToArray();
        var ids = new List<string>(starters);
        var withPush = 0;
        var store = engine.Get<UserStore>();
        foreach (var slice in Enumerable.Range(0, users).Chunk(10_000))
        {
            await store.ReplaceAsync(slice.Select(i =>
            {
                var id = "u" + i.ToString("D7", CultureInfo.InvariantCulture);
                // user i is potential when the even spread of starters over users steps at i: exactly `starters` of them
                var potential = (long)(i + 1) * starters / users > (long)i * starters / users;
                var profile = new UserProfile { TimeZone = Zones[0], Source = "bench" };
                if (potential)
                {
                    var k = ids.Count;
                    ids.Add(id);
                    profile.TimeZone = ZoneOf(k);
                    if (HasPush(k))
                    {
                        (profile.PushToken, profile.ConsentPush) = ("fcm-" + id, true);
                        withPush++;
                    }
                }

                return new UserRecord
                {
                    UserId = id,
                    Profile = profile,
                    Standing = new RfmStanding(new RfmScores(2, 1, 1), potential ? "potential" : others[i % others.Length], null),
                };
            }).ToList(), 8, ct);
        }

        return (ids, withPush);
    }
}

/// <summary>
/// Counts the engine's accepted sends per channel and notes when the last one was, by wrapping each registered
/// <see cref="IChannelSender"/>: in-app has no provider fake to count at, and "to the last send" needs the instant.
/// </summary>
internal sealed class SendTally
{
    private readonly ConcurrentDictionary<string, int> _accepted = new(StringComparer.Ordinal);
    private long _lastAt;

    public int Accepted => _accepted.Values.Sum();

    public int AcceptedBy(string channel) => _accepted.GetValueOrDefault(channel);

    /// <summary>The <see cref="Stopwatch"/> timestamp of the latest accepted send (0: none yet).</summary>
    public long LastAt => Interlocked.Read(ref _lastAt);

    public void Wrap(IServiceCollection services)
    {
        foreach (var d in services.Where(d => d.ServiceType == typeof(IChannelSender)).ToList())
        {
            services.Remove(d);
            services.AddSingleton<IChannelSender>(sp => new Counted(
                (IChannelSender)(d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!)), this));
        }
    }

    private sealed class Counted(IChannelSender inner, SendTally tally) : IChannelSender
    {
        public string Channel => inner.Channel;

        public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            var result = await inner.SendAsync(message, cancellationToken);
            if (result.Status == SendStatus.Accepted)
            {
                tally._accepted.AddOrUpdate(Channel, 1, (_, n) => n + 1);
                // the latest wins even when two sends finish out of order
                var now = Stopwatch.GetTimestamp();
                for (var seen = tally.LastAt; seen < now && Interlocked.CompareExchange(ref tally._lastAt, now, seen) != seen; seen = tally.LastAt)
                {
                }
            }

            return result;
        }
    }
}
