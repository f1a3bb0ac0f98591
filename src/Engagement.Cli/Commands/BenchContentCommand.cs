using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Content;
using Engagement.Delivery;
using Engagement.Local;
using Engagement.Local.Demo;
using Engagement.Local.Fakes;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class BenchContentSettings : CommandSettings
{
    [CommandOption("--users <N>")]
    [Description("Users in each population.")]
    public int Users { get; init; } = 100_000;

    [CommandOption("--regular-percent <N>")]
    [Description("Share of them in tier regular (the weekly run's tier).")]
    public int RegularPercent { get; init; } = 40;

    [CommandOption("--items <N>")]
    [Description("Active catalogue items.")]
    public int Items { get; init; } = 1_000;

    public override ValidationResult Validate() =>
        Users >= 100 && RegularPercent is > 0 and <= 100 && Items >= 1 ? ValidationResult.Success() : ValidationResult.Error("--users >= 100, --regular-percent 1..100, --items >= 1");
}

/// <summary>
/// The weekly content run on Azurite at scale (issue 13): <c>--users</c> users, <c>--regular-percent</c> of them regular
/// with an interest profile of one or two of 20 categories, <c>--items</c> active items over those categories. The run
/// as the timer runs it (<see cref="ContentWeeklyRun.RunDueAsync"/>) with the deliveries drained alongside; the anchor,
/// on a fresh Azurite in the same process: one plain campaign to the same tier, channels (push to the loopback FCM fake,
/// in-app as fallback), holdout share and frequency cap. Seconds, sends/s and table round-trips per 1,000 regular users side by side.
/// </summary>
internal sealed class BenchContentCommand : AsyncCommand<BenchContentSettings>
{
    private const int Categories = 20;

    private sealed record Row(string Label, int Users, int Sends, double Seconds, long Table, (double Storage, double Engine) Cpu, string Note)
    {
        public double PerSecond => Sends / Seconds;

        public double TablePer1000 => Table * 1000.0 / Users;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, BenchContentSettings settings, CancellationToken cancellationToken)
    {
        await using var fcm = await FcmFake.StartAsync(cancellationToken);
        var configuration = BenchEngine.Configuration(fcm);
        // five minutes after the default schedule's next occurrence (Monday 02:00 UTC)
        var today = TimeProvider.System.GetUtcNow().UtcDateTime.Date;
        var monday = today.AddDays(((int)DayOfWeek.Monday - (int)today.DayOfWeek + 7) % 7 + 7);
        var start = new DateTimeOffset(monday.AddHours(2).AddMinutes(5), TimeSpan.Zero);

        var anchor = await AnchorAsync(settings, configuration, start, cancellationToken);
        var weekly = await WeeklyAsync(settings, configuration, start, cancellationToken);

        var table = new Table().Title(string.Create(CultureInfo.InvariantCulture, $"The weekly content run: {settings.Users:N0} users, {settings.RegularPercent}% regular, {settings.Items:N0} active items"))
            .AddColumn("phase").AddColumn(new TableColumn("regular users").RightAligned()).AddColumn(new TableColumn("sends").RightAligned())
            .AddColumn(new TableColumn("seconds").RightAligned()).AddColumn(new TableColumn("sends/s").RightAligned())
            .AddColumn(new TableColumn("table round-trips per 1,000 users").RightAligned()).AddColumn(new TableColumn("CPU s: Azurite + engine").RightAligned()).AddColumn("");
        foreach (var r in new[] { weekly, anchor })
        {
            table.AddRow(Markup.Escape(r.Label), r.Users.ToString("N0", CultureInfo.InvariantCulture), r.Sends.ToString("N0", CultureInfo.InvariantCulture),
                r.Seconds.ToString("F1", CultureInfo.InvariantCulture), r.PerSecond.ToString("N0", CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{r.TablePer1000:F1} ({r.Table:N0})"), string.Create(CultureInfo.InvariantCulture, $"{r.Cpu.Storage:F1} + {r.Cpu.Engine:F1}"), Markup.Escape(r.Note));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]weekly run / plain campaign[/]: {weekly.PerSecond / anchor.PerSecond:F2}x the sends/s; {weekly.TablePer1000 - anchor.TablePer1000:+0.0;-0.0} table round-trips per 1,000 regular users"));
        return weekly.Sends > 0 && anchor.Sends > 0 ? 0 : 1;
    }

    private static async Task<Row> WeeklyAsync(BenchContentSettings settings, IConfiguration configuration, DateTimeOffset start, CancellationToken ct)
    {
        var tally = new SendTally();
        await using var engine = await BenchEngine.StartAsync(configuration, new DemoClock(start), tally, ct);
        var regular = await SeedAsync(engine, settings, start, ct);
        await engine.Get<ContentStore>().UpsertAsync([.. Enumerable.Range(0, settings.Items).Select(i => new ContentItem(
            "item-" + i.ToString("D4", CultureInfo.InvariantCulture), "title " + i, "body " + i, "app://content/" + i,
            i % 7 == 0 ? [Category(i), Category(i + 1)] : [Category(i)], [], "en", start.AddDays(-30), null, i % 5))], ct);
        var counter = engine.Get<StorageRequestCounter>();
        var (before, cpu, t) = (counter.Total - counter.QueueTotal, BenchEngine.CpuNow(engine), Stopwatch.GetTimestamp());
        var running = engine.Get<ContentWeeklyRun>().RunDueAsync(ct);
        await engine.Pump().DrainAlongsideAsync(QueueNames.Deliveries, running, ct, idleWhenOnlyDelayed: TimeSpan.FromSeconds(5));
        var result = await running;
        var row = new Row("weekly content run (pass, records, hand-off, deliveries)", regular, tally.Accepted, BenchEngine.SecondsTo(t, tally.LastAt), counter.Total - counter.QueueTotal - before, BenchEngine.CpuSince(engine, cpu),
            $"{result.Picked:N0} picked, {result.HeldOut:N0} held out, {result.Campaigns:N0} campaigns; push {tally.AcceptedBy(Channels.Push):N0}, in-app {tally.AcceptedBy(Channels.InApp):N0}");
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{row.Label}: {row.Sends:N0} sends in {row.Seconds:F1} s, {row.Table:N0} table round-trips ({result.Detail})")));
        return row;
    }

    private static async Task<Row> AnchorAsync(BenchContentSettings settings, IConfiguration configuration, DateTimeOffset start, CancellationToken ct)
    {
        var tally = new SendTally();
        await using var engine = await BenchEngine.StartAsync(configuration, new DemoClock(start), tally, ct);
        var regular = await SeedAsync(engine, settings, start, ct);
        var o = engine.Get<IOptions<ContentWeeklyOptions>>().Value;
        var trigger = JsonSerializer.Serialize(new
        {
            schemaVersion = 1,
            campaignId = "bench-anchor",
            name = "Benchmark anchor: one item to the tier as a plain campaign",
            audience = new { tiers = new[] { o.Tier } },
            channels = new object[]
            {
                new { channel = Channels.Push, title = "This week's pick", template = "{{ content_title }}" },
                new { channel = Channels.InApp, title = "This week's pick", template = "{{ content_title }}", fallback = true },
            },
            holdoutPercent = o.HoldoutPercent,
            frequencyCap = true, // as the weekly run's campaigns (ContentTrigger): the touch logs are read and written per send

            variables = new Dictionary<string, string> { ["content_title"] = "title 1", [ContentTrigger.ContentIdVariable] = "item-0001" },
        });
        var counter = engine.Get<StorageRequestCounter>();
        var (before, cpu, t) = (counter.Total - counter.QueueTotal, BenchEngine.CpuNow(engine), Stopwatch.GetTimestamp());
        var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.CampaignTriggers, ct);
        await queue.SendMessageAsync(trigger, ct);
        await engine.Pump().DrainAlongsideAsync(QueueNames.Deliveries, engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, ct), ct, idleWhenOnlyDelayed: TimeSpan.FromSeconds(5));
        var row = new Row("plain campaign to the same tier (anchor)", regular, tally.Accepted, BenchEngine.SecondsTo(t, tally.LastAt), counter.Total - counter.QueueTotal - before, BenchEngine.CpuSince(engine, cpu),
            $"push {tally.AcceptedBy(Channels.Push):N0}, in-app {tally.AcceptedBy(Channels.InApp):N0}");
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{row.Label}: {row.Sends:N0} sends in {row.Seconds:F1} s, {row.Table:N0} table round-trips")));
        return row;
    }

    private static string Category(int i) => "cat-" + (i % Categories).ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>
    /// The users, the same in both runs: regular ones spread evenly through the ids (Shanghai, 7 in 10 with a push token
    /// and push consent, interests in one or two categories), the rest in the other tiers. Returns the regular count.
    /// </summary>
    private static async Task<int> SeedAsync(LocalEngine engine, BenchContentSettings settings, DateTimeOffset now, CancellationToken ct)
    {
        var others = engine.Get<IOptions<SegmentationOptions>>().Value.Rules.Select(r => r.Tier).Where(t => t != "regular").ToArray();
        var pick = engine.Get<IOptions<ContentPickOptions>>().Value;
        var store = engine.Get<UserStore>();
        var shards = engine.Get<UserShards>();
        var users = await engine.Get<StorageClients>().TableAsync(TableNames.Users, ct);
        var regular = 0;
        foreach (var slice in Enumerable.Range(0, settings.Users).Chunk(10_000))
        {
            var records = slice.Select(i =>
            {
                var id = "u" + i.ToString("D7", CultureInfo.InvariantCulture);
                var isRegular = (long)(i + 1) * settings.RegularPercent / 100 > (long)i * settings.RegularPercent / 100;
                var profile = new UserProfile { TimeZone = "Asia/Shanghai", Source = "bench", ConsentInApp = true };
                if (isRegular && i / 10 % 10 < 7)
                {
                    (profile.PushToken, profile.ConsentPush) = ("fcm-" + id, true);
                }

                return (Regular: isRegular, Record: new UserRecord { UserId = id, Profile = profile, Standing = new RfmStanding(new RfmScores(3, 3, 3), isRegular ? "regular" : others[i % others.Length], null) });
            }).ToList();
            await store.ReplaceAsync([.. records.Select(r => r.Record)], 8, ct);
            var interests = records.Where(r => r.Regular).Select(r => r.Record.UserId).GroupBy(shards.Of).SelectMany(g => g.Chunk(100).Select(ids => ids.Select(id =>
            {
                var k = int.Parse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
                var profile = InterestProfile.Empty.Add(ActivityType.Purchase, Category(k * 7), now.AddDays(-3), pick);
                profile = k % 2 == 0 ? profile.Add(ActivityType.Interaction, Category(k * 7 + 3), now.AddDays(-1), pick) : profile;
                return new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(g.Key, id) { [UserEntity.InterestWeights] = profile.Format() });
            }))).ToList();
            await Parallel.ForEachAsync(interests, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (batch, token) => await users.SubmitTransactionAsync(batch, token));
            regular += records.Count(r => r.Regular);
        }

        return regular;
    }
}
