using System.Diagnostics;
using System.Globalization;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Local.Demo;
using Engagement.Storage;
using Engagement.WakeUp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Engagement.Cli.Commands;

/// <summary>
/// The wake-up bench's second anchor: the wake-up's own batches (each zone's treated starters, 1,000 listed users a
/// campaign, at the zone's step-1 send hour, the step's task, no frequency cap) enqueued as plain listed-users campaigns,
/// the way another programme hands the pipeline its batches. It is what the pipeline alone costs for this job; the gap to
/// the wake-up is the timer's own work (its reads, the claims, the state moves), the gap to the tier campaign is the
/// listed audience's.
/// </summary>
internal static class BenchWakeUpListedAnchor
{
    public sealed record Result(int Sends, int Batches, double Seconds, long Table, (double Storage, double Engine) Cpu);

    public static async Task<Result> RunAsync(IConfiguration configuration, int users, int starters, DateTimeOffset start, CancellationToken ct)
    {
        var clock = new DemoClock(start);
        var tally = new SendTally();
        await using var engine = await BenchEngine.StartAsync(configuration, clock, tally, ct);
        var (ids, _) = await BenchWakeUpPopulation.SeedAsync(engine, users, starters, ct);
        var o = engine.Get<IOptions<WakeUpOptions>>().Value;
        var task = o.Catalogue[0];
        var push = engine.Get<IEnumerable<IChannelSender>>().Any(s => s.Channel == Channels.Push);
        var counter = engine.Get<StorageRequestCounter>();
        var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.CampaignTriggers, ct);
        var (batches, seconds, table, cpu) = (0, 0.0, 0L, (Storage: 0.0, Engine: 0.0));
        var zones = ids.Select((id, k) => (Id: id, Zone: BenchWakeUpPopulation.ZoneOf(k)))
            .Where(u => !CampaignPlanner.IsHeldOut(WakeUpDecisions.HoldoutKey, u.Id, o.HoldoutPercent))
            .GroupBy(u => u.Zone)
            .Select(g => (Time: BenchWakeUpPopulation.FirstStepTime(g.Key, start, o), Users: g.Select(u => u.Id).Order(StringComparer.Ordinal).ToList()))
            .OrderBy(z => z.Time.SendAt);
        foreach (var (time, treated) in zones)
        {
            clock.MoveTo(time.SendAt);
            var (tableAt, cpuAt, t) = (counter.Total - counter.QueueTotal, BenchEngine.CpuNow(engine), Stopwatch.GetTimestamp());
            foreach (var chunk in treated.Chunk(WakeUpTrigger.MaxUsers))
            {
                await queue.SendMessageAsync(ListedUsersTrigger.Build(string.Create(CultureInfo.InvariantCulture, $"bench-listed-{batches++}"), "Benchmark anchor: a wake-up batch as a plain campaign",
                    chunk, o.Title, task.Template, push, time.ClosesAt, frequencyCap: false, WakeUpTrigger.Variables(1, task.Points, task.Kind)), ct);
            }

            // as the host runs them: the deliveries trigger alongside the planning
            await engine.Pump().DrainAlongsideAsync(QueueNames.Deliveries, engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, ct), ct, idleWhenOnlyDelayed: TimeSpan.FromSeconds(5));
            seconds += BenchEngine.SecondsTo(t, tally.LastAt);
            table += counter.Total - counter.QueueTotal - tableAt;
            var used = BenchEngine.CpuSince(engine, cpuAt);
            cpu = (cpu.Storage + used.Storage, cpu.Engine + used.Engine);
        }

        return new Result(tally.Accepted, batches, seconds, table, cpu);
    }
}
