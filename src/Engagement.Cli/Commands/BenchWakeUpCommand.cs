using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Engagement.Delivery;
using Engagement.Local;
using Engagement.Local.Demo;
using Engagement.Local.Fakes;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Engagement.WakeUp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class BenchWakeUpSettings : CommandSettings
{
    [CommandOption("--users <N>")]
    [Description("Users in each population.")]
    public int Users { get; init; } = 100_000;

    [CommandOption("--starters <N>")]
    [Description("Of them, users of tier potential who start a plan (regular -> potential).")]
    public int Starters { get; init; } = 30_000;

    public override ValidationResult Validate() =>
        Starters >= 1 && Starters <= Users ? ValidationResult.Success() : ValidationResult.Error("--starters must be 1..--users");
}

/// <summary>
/// Wake-up plans for the night's new potential users: phase 1 starts them (<see cref="WakeUpStarter.ApplyAsync"/> per
/// shard, as the timer does), phase 2 moves the engine's clock through the first day's send hours, each time handing the
/// due steps to the campaign pipeline (<see cref="WakeUpSender.SendDueAsync"/>) and draining the deliveries. The anchor,
/// run before and again after the wake-up, each on a fresh Azurite in the same process: the same users, channels (push to
/// the loopback FCM fake, in-app as fallback) and holdout as one plain campaign to tier potential. A second anchor sends
/// the wake-up's own batches as plain listed-users campaigns (<see cref="BenchWakeUpListedAnchor"/>). Sends/s, table
/// round-trips per user and CPU per send side by side, against the mean of the two tier anchors and against the second.
/// </summary>
internal sealed class BenchWakeUpCommand : AsyncCommand<BenchWakeUpSettings>
{
    private sealed record Row(string Label, int Users, int Sends, double Seconds, long Table, string Note)
    {
        /// <summary>CPU seconds of the phase: Azurite's node process and this process (a loaded machine stretches wall time, not these).</summary>
        public (double Storage, double Engine) Cpu { get; init; }

        public double CpuMsPerSend => (Cpu.Storage + Cpu.Engine) * 1000 / Sends;

        /// <summary>A phase's line as it ends: a full run takes many minutes, the table comes at the very end.</summary>
        public Row Said()
        {
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{Label}: {Sends:N0} in {Seconds:F1} s, {Table:N0} table round-trips, CPU {Cpu.Storage:F1} s Azurite + {Cpu.Engine:F1} s engine")));
            return this;
        }

        public double PerSecond => Sends / Seconds;

        public double TablePerUser => Table * 1.0 / Users;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, BenchWakeUpSettings settings, CancellationToken cancellationToken)
    {
        await using var fcm = await FcmFake.StartAsync(cancellationToken);
        // quiet hours off as in bench playbook (noon is outside them anyway); the clock starts at tomorrow's 00:00 UTC
        var configuration = BenchEngine.Configuration(fcm);
        var start = new DateTimeOffset(TimeProvider.System.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);

        // the anchor before and after the wake-up: a machine whose load changes during the run shows as two different
        // anchors, and the ratios are taken against their mean
        var before = await AnchorAsync(settings, configuration, fcm, start, "before", cancellationToken);
        var (starts, sends, closes, ok) = await WakeUpAsync(settings, configuration, fcm, start, cancellationToken);
        var l = await BenchWakeUpListedAnchor.RunAsync(configuration, settings.Users, settings.Starters, start, cancellationToken);
        var listed = new Row("the same batches as plain listed-users campaigns (second anchor)", settings.Starters, l.Sends, l.Seconds, l.Table,
            $"{l.Batches} campaigns of up to 1,000 listed users, each zone's at its send hour; the send hours summed") { Cpu = l.Cpu }.Said();
        var after = await AnchorAsync(settings, configuration, fcm, start, "after", cancellationToken);
        var anchor = new Row("plain campaign to tier potential (anchor, mean)", before.Users, before.Sends, (before.Seconds + after.Seconds) / 2, (before.Table + after.Table) / 2, "")
        {
            Cpu = ((before.Cpu.Storage + after.Cpu.Storage) / 2, (before.Cpu.Engine + after.Cpu.Engine) / 2),
        };

        var table = new Table().Title(string.Create(CultureInfo.InvariantCulture, $"Wake-up plans for {settings.Starters:N0} new potential users of {settings.Users:N0}"))
            .AddColumn("phase").AddColumn(new TableColumn("users").RightAligned()).AddColumn(new TableColumn("plans / sends").RightAligned())
            .AddColumn(new TableColumn("seconds").RightAligned()).AddColumn(new TableColumn("per second").RightAligned())
            .AddColumn(new TableColumn("table round-trips per user").RightAligned())
            .AddColumn(new TableColumn("CPU s: Azurite + engine (ms per plan/send)").RightAligned()).AddColumn("");
        foreach (var r in new[] { starts, sends, closes, listed, before, after })
        {
            table.AddRow(Markup.Escape(r.Label), r.Users.ToString("N0", CultureInfo.InvariantCulture), r.Sends.ToString("N0", CultureInfo.InvariantCulture),
                r.Seconds.ToString("F1", CultureInfo.InvariantCulture), r.PerSecond.ToString("N0", CultureInfo.InvariantCulture),
                r.TablePerUser.ToString("F3", CultureInfo.InvariantCulture) + string.Create(CultureInfo.InvariantCulture, $" ({r.Table:N0})"),
                string.Create(CultureInfo.InvariantCulture, $"{r.Cpu.Storage:F1} + {r.Cpu.Engine:F1} ({r.CpuMsPerSend:F2})"), Markup.Escape(r.Note));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]wake-up / pipeline[/]: {sends.PerSecond / anchor.PerSecond:F2}x the sends/s, {anchor.CpuMsPerSend / sends.CpuMsPerSend:F2}x by CPU per send (Azurite {sends.Cpu.Storage / anchor.Cpu.Storage:F2}x the anchor's, engine {sends.Cpu.Engine / anchor.Cpu.Engine:F2}x); {sends.TablePerUser - anchor.TablePerUser:+0.000;-0.000} table round-trips per user for the day's step; {starts.TablePerUser:F3} more per user to start the plans"));
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]wake-up / the same batches as listed-users campaigns[/]: {sends.PerSecond / listed.PerSecond:F2}x the sends/s, {listed.CpuMsPerSend / sends.CpuMsPerSend:F2}x by CPU per send (Azurite {sends.Cpu.Storage / listed.Cpu.Storage:F2}x theirs); {sends.TablePerUser - listed.TablePerUser:+0.000;-0.000} table round-trips per user: the timer's own cost"));
        var spread = Math.Abs(before.Seconds - after.Seconds) / anchor.Seconds;
        if (spread > 0.2)
        {
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[yellow]The two anchors differ by {spread:P0} in time: the machine's load changed during the run, so the time ratio is unreliable; the CPU and round-trip figures hold better.[/]"));
        }

        return ok && before.Sends == sends.Sends && after.Sends == sends.Sends && listed.Sends == sends.Sends ? 0 : 1;
    }

    private static async Task<(Row Starts, Row Sends, Row Closes, bool Ok)> WakeUpAsync(BenchWakeUpSettings settings, IConfiguration configuration, FcmFake fcm, DateTimeOffset start, CancellationToken ct)
    {
        var clock = new DemoClock(start);
        var tally = new SendTally();
        await using var engine = await BenchEngine.StartAsync(configuration, clock, tally, ct);
        var (starters, withPush) = await BenchWakeUpPopulation.SeedAsync(engine, settings.Users, settings.Starters, ct);
        var counter = engine.Get<StorageRequestCounter>();
        long Table() => counter.Total - counter.QueueTotal;
        var pushBefore = fcm.Requests.Count(q => q.Status == 200); // the fake is shared with the anchor

        // phase 1: the night's transitions, one ApplyAsync per shard as StartFromLatestNightAsync reads them
        var shards = engine.Get<UserShards>();
        var starter = engine.Get<WakeUpStarter>();
        int started = 0, held = 0, not = 0;
        var before = Table();
        var cpu = BenchEngine.CpuNow(engine);
        var t = Stopwatch.GetTimestamp();
        foreach (var shard in starters.Select(id => new TierTransition(id, "regular", "potential", new RfmScores(2, 1, 1))).GroupBy(m => shards.Of(m.UserId)))
        {
            var r = await starter.ApplyAsync([.. shard], ct);
            (started, held, not) = (started + r.Started, held + r.HeldOut, not + r.NotStarted);
        }

        var starts = new Row("wake-up: start plans", starters.Count, started + held, Stopwatch.GetElapsedTime(t).TotalSeconds, Table() - before,
            $"{started:N0} running, {held:N0} held out, {not:N0} not started") { Cpu = BenchEngine.CpuSince(engine, cpu) }.Said();

        // phase 2: the clock at each send hour of the day's first step (one per zone), the due steps handed off, deliveries
        // drained; and at each zone's end of day that comes before the last send hour, the pass that closes its steps as
        // missed (measured apart: closing is not sending, and the anchor has nothing like it)
        var o = engine.Get<IOptions<WakeUpOptions>>().Value;
        var times = BenchWakeUpPopulation.Zones.Select(z => BenchWakeUpPopulation.FirstStepTime(z, start, o)).ToList();
        var lastSend = times.Max(s => s.SendAt);
        var visits = times.Select(s => (At: s.SendAt, Close: false)).Concat(times.Where(s => s.ClosesAt < lastSend).Select(s => (At: s.ClosesAt, Close: true)))
            .Distinct().OrderBy(v => v.At).ToList();
        int handed = 0, batches = 0, missed = 0;
        var (send, close) = (new PhaseTotals(), new PhaseTotals());
        foreach (var (at, isClose) in visits)
        {
            clock.MoveTo(at);
            var (tableAt, cpuAt, pass) = (Table(), BenchEngine.CpuNow(engine), Stopwatch.GetTimestamp());
            long handedAt = 0;
            async Task<WakeUpSendResult> PassAsync()
            {
                var result = await engine.Get<WakeUpSender>().SendDueAsync(ct);
                handedAt = Stopwatch.GetTimestamp();
                return result;
            }

            var running = PassAsync();
            // the deliveries trigger runs alongside the timer, as the host runs it: chunks go out while later batches are planned
            await engine.Pump().DrainAlongsideAsync(QueueNames.Deliveries, running, ct, idleWhenOnlyDelayed: TimeSpan.FromSeconds(5));
            var r = await running;
            (handed, batches, missed) = (handed + r.Sent, batches + r.Batches, missed + r.Missed);
            // a pass ends with its last send (the drain's idle wait after it is not the engine's time)
            (isClose ? close : send).Add(Stopwatch.GetElapsedTime(pass, Math.Max(handedAt, tally.LastAt)).TotalSeconds, Table() - tableAt, BenchEngine.CpuSince(engine, cpuAt));
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[grey]  {at.UtcDateTime:HH:mm} UTC: timer pass {Stopwatch.GetElapsedTime(pass, handedAt).TotalSeconds:F1} s ({r.Sent:N0} handed off in {r.Batches} batches, {r.Missed:N0} earlier steps closed as missed), deliveries done {Stopwatch.GetElapsedTime(handedAt).TotalSeconds:F1} s after it[/]"));
        }

        var sends = new Row("wake-up: the day's step 1 (timer + pipeline)", starters.Count, tally.Accepted, send.Seconds, send.Table,
            $"{handed:N0} handed off in {batches} batches; push {tally.AcceptedBy(Channels.Push):N0} ({fcm.Requests.Count(q => q.Status == 200) - pushBefore:N0} at the FCM fake), in-app {tally.AcceptedBy(Channels.InApp):N0}; the send hours' passes summed") { Cpu = send.Cpu }.Said();
        var closes = new Row("wake-up: an earlier zone's end of day (steps missed)", starters.Count, missed, close.Seconds, close.Table,
            $"{missed:N0} steps closed as missed at their local midnight, before the last zone's send hour") { Cpu = close.Cpu }.Said();

        var ok = started + held == starters.Count && not == 0 && handed == started && tally.Accepted == started;
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]wake-up[/]: {started:N0} plans running ({withPush:N0} of {starters.Count:N0} with a push token), {handed:N0} step-1 sends handed off, {tally.Accepted:N0} sent: {(ok ? "[green]every plan started and every step of the day sent[/]" : "[red]not every plan started or step sent[/]")}"));
        return (starts, sends, closes, ok);
    }

    private static async Task<Row> AnchorAsync(BenchWakeUpSettings settings, IConfiguration configuration, FcmFake fcm, DateTimeOffset start, string when, CancellationToken ct)
    {
        var tally = new SendTally();
        await using var engine = await BenchEngine.StartAsync(configuration, new DemoClock(start), tally, ct);
        var (starters, _) = await BenchWakeUpPopulation.SeedAsync(engine, settings.Users, settings.Starters, ct);
        var o = engine.Get<IOptions<WakeUpOptions>>().Value;
        var task = o.Catalogue[0];
        var pushBefore = fcm.Requests.Count(q => q.Status == 200);
        // the wake-up's holdout draw (key "wakeup", same share), no frequency cap, the step's title and text
        var trigger = JsonSerializer.Serialize(new
        {
            schemaVersion = 1,
            campaignId = "bench-anchor",
            name = "Benchmark anchor: step 1 as a plain campaign",
            audience = new { tiers = new[] { o.Tier } },
            channels = new object[]
            {
                new { channel = Channels.Push, title = o.Title, template = task.Template },
                new { channel = Channels.InApp, title = o.Title, template = task.Template, fallback = true },
            },
            holdoutPercent = o.HoldoutPercent,
            holdoutKey = WakeUpDecisions.HoldoutKey,
            frequencyCap = false,
            variables = WakeUpTrigger.Variables(1, task.Points, task.Kind).ToDictionary(v => v.Name, v => v.Value),
        });
        var counter = engine.Get<StorageRequestCounter>();
        var before = counter.Total - counter.QueueTotal;
        var cpu = BenchEngine.CpuNow(engine);
        var t = Stopwatch.GetTimestamp();
        var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.CampaignTriggers, ct);
        await queue.SendMessageAsync(trigger, ct);
        // as the host runs them: the deliveries trigger alongside the planning (the same as the wake-up's timer pass gets)
        await engine.Pump().DrainAlongsideAsync(QueueNames.Deliveries, engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, ct), ct, idleWhenOnlyDelayed: TimeSpan.FromSeconds(5));
        var table = counter.Total - counter.QueueTotal - before;
        return new Row($"plain campaign to tier potential (anchor, {when})", starters.Count, tally.Accepted, BenchEngine.SecondsTo(t, tally.LastAt), table,
            $"push {tally.AcceptedBy(Channels.Push):N0} ({fcm.Requests.Count(q => q.Status == 200) - pushBefore:N0} at the FCM fake), in-app {tally.AcceptedBy(Channels.InApp):N0}") { Cpu = BenchEngine.CpuSince(engine, cpu) }.Said();
    }

    /// <summary>A phase made of several timer passes: their times, table round-trips and CPU added up.</summary>
    private sealed class PhaseTotals
    {
        public double Seconds { get; private set; }

        public long Table { get; private set; }

        public (double Storage, double Engine) Cpu { get; private set; }

        public void Add(double seconds, long table, (double Storage, double Engine) cpu) =>
            (Seconds, Table, Cpu) = (Seconds + seconds, Table + table, (Cpu.Storage + cpu.Storage, Cpu.Engine + cpu.Engine));
    }
}
