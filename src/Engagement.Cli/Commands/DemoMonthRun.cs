using System.Globalization;
using Engagement.Activity;
using Engagement.Local;
using Engagement.Local.Demo;
using Engagement.Local.Fakes;
using Engagement.Outcomes;
using Engagement.Points;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Engagement.Cli.Commands;

/// <summary><c>engage demo --days N</c>: the demo population lives N days on the demo clock; the playbooks run themselves.</summary>
internal static class DemoMonthRun
{
    public static async Task<int> RunAsync(DemoCommand.Settings settings, CancellationToken cancellationToken)
    {
        var reactions = new DemoReactions();
        AnsiConsole.MarkupLine($"[bold]Engagement demo, {settings.Days} days[/]: a fresh, in-memory Azurite and a demo clock; nothing touches real storage or a real provider.");
        AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(reactions.Describe())}[/]");
        await using var providers = await LocalProviders.StartAsync(cancellationToken);
        var configuration = providers.Apply(CliEnvironment.Configuration());
        // the clock starts on the day after the population's history; the playbooks' first 1st of a month falls inside most months
        var calendar = new ActivityCalendar(Microsoft.Extensions.Options.Options.Create(new ActivityOptions()));
        var firstDay = calendar.DateOf(TimeProvider.System.GetUtcNow());
        var clock = new DemoClock(calendar.StartOf(firstDay));
        await using var engine = await CliEnvironment.StartScratchAsync(cancellationToken, configuration, s => s.AddSingleton<TimeProvider>(clock));
        var population = new DemoPopulation(settings.Users, firstDay.AddDays(-1), days: 120, seed: settings.Seed);

        DemoMonthResult result = null!;
        await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var seed = ctx.AddTask($"Generate and store {settings.Users:N0} users, 120 days of activity", maxValue: settings.Users);
                var written = 0;
                foreach (var slice in population.Generate(engine.Get<ActivityCalendar>()).Chunk(10_000))
                {
                    await engine.Get<UserStore>().ReplaceAsync(slice, parallelism: 8, cancellationToken);
                    written += slice.Length;
                    seed.Value = written;
                }

                var opening = ctx.AddTask("Opening points balances (the 12 months before the demo)", maxValue: settings.Users);
                await SeedPointsAsync(engine, population, n => opening.Value = n, cancellationToken);

                var month = ctx.AddTask($"{settings.Days} days: activity, nightly run, playbook timer", maxValue: settings.Days);
                result = await new DemoMonth(engine, clock, population, reactions, settings.Seed).RunAsync(
                    settings.Days, new Progress<(int Day, string Step)>(p => { month.Value = p.Day; month.Description = Markup.Escape(p.Step); }), cancellationToken);
                month.Value = settings.Days;
                month.Description = $"{settings.Days} days: activity, nightly run, playbook timer";
            });

        AnsiConsole.MarkupLine($"{result.From:yyyy-MM-dd} to {result.To:yyyy-MM-dd}: {result.Nights} nightly runs, {result.Events:N0} events ingested, {result.Redemptions:N0} coupons redeemed by the simulated users.");
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[grey]Time: activity {result.Seconds.Ingest:F1} s, nightly runs {result.Seconds.Nightly:F1} s, playbook timer steps and deliveries {result.Seconds.Timer:F1} s, outcomes {result.Seconds.Outcomes:F1} s.[/]"));
        var perUserDay = 1000.0 / settings.Users / result.Nights;
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[grey]Storage requests per 1,000 users per day: activity {result.Requests.Ingest * perUserDay:F1}, nightly {result.Requests.Nightly * perUserDay:F1}, playbook timer and deliveries {result.Requests.Timer * perUserDay:F1} (of it the wake-up ticks {result.WakeUpTicks.Requests * perUserDay:F1}, {result.WakeUpTicks.Seconds:F1} s), outcomes {result.Requests.Outcomes * perUserDay:F1}.[/]"));
        Print(result);
        var wakeUp = new WakeUp.WakeUpOptions();
        AnsiConsole.Write(WakeUpCohortTable.Of(result.WakeUp, wakeUp.FirstMonthActiveDays, wakeUp.FirstMonthDays));
        AnsiConsole.Write(ContentOutcomeTable.Runs(result.Content, engine.Get<IOptions<Content.ContentWeeklyOptions>>().Value.AttributionDays));
        if (result.Referrals is ({ } referrals, var coupons))
        {
            AnsiConsole.MarkupLine($"[yellow]Simulated referrals (demo assumptions): {Markup.Escape(new Local.Demo.DemoReferrals(settings.Users, result.From, settings.Seed).Describe())}[/]");
            AnsiConsole.Write(new Table().Title("Referrals: a referrer's third active friend earns the referral coupon and an in-app notice, once")
                .AddColumn(new TableColumn("referrers").RightAligned()).AddColumn(new TableColumn("friends invited").RightAligned())
                .AddColumn(new TableColumn("linked").RightAligned()).AddColumn(new TableColumn("friends active").RightAligned())
                .AddColumn(new TableColumn("rewards").RightAligned()).AddColumn(new TableColumn("reward coupons issued").RightAligned())
                .AddRow(referrals.Referrers.ToString("N0", CultureInfo.InvariantCulture), referrals.Invited.ToString("N0", CultureInfo.InvariantCulture),
                    referrals.Linked.ToString("N0", CultureInfo.InvariantCulture), referrals.Active.ToString("N0", CultureInfo.InvariantCulture),
                    referrals.Rewards.Count.ToString("N0", CultureInfo.InvariantCulture), coupons.ToString("N0", CultureInfo.InvariantCulture)));
        }

        AnsiConsole.MarkupLine("[grey]A run whose window is still open is measured so far (\"open\"); `engage campaign outcome RUN` re-measures it later.[/]");
        return 0;
    }

    /// <summary>Each user's opening balance (<see cref="DemoPopulation.OpeningPoints"/>) as one earn keyed <c>opening</c>, and a level above 1 on the user row.</summary>
    private static async Task SeedPointsAsync(LocalEngine engine, DemoPopulation population, Action<int> progress, CancellationToken ct)
    {
        var points = engine.Get<PointsStore>();
        var options = engine.Get<IOptions<PointsOptions>>().Value;
        var levels = new System.Collections.Concurrent.ConcurrentBag<(string UserId, object Level)>();
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, population.Users), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            if (population.OpeningPoints(i, options.EarnFor) is > 0 and var amount
                && (await points.EarnAsync(DemoPopulation.UserId(i), "opening", amount, token)).Account.Level is > 1 and var level)
            {
                levels.Add((DemoPopulation.UserId(i), level));
            }

            if (Interlocked.Increment(ref done) % 1000 == 0)
            {
                progress(done);
            }
        });

        await engine.Get<UserStore>().SetColumnAsync(UserEntity.Level, [.. levels], ct);
        progress(population.Users);
    }

    private static void Print(DemoMonthResult result)
    {
        var table = new Table().Title("Playbook runs: who was targeted, what went out, who came back")
            .AddColumn("playbook").AddColumn("run").AddColumn(new TableColumn("targeted").RightAligned()).AddColumn(new TableColumn("held out").RightAligned())
            .AddColumn(new TableColumn("sent (sms / in-app)").RightAligned()).AddColumn(new TableColumn("coupons redeemed").RightAligned())
            .AddColumn(new TableColumn("reactivated: reached").RightAligned()).AddColumn(new TableColumn("holdout").RightAligned())
            .AddColumn(new TableColumn("lift (95% CI)").RightAligned()).AddColumn("window");
        foreach (var (playbook, o) in result.Runs)
        {
            var heldOut = o.HeldOut;
            table.AddRow(
                Markup.Escape(playbook),
                Markup.Escape(o.CampaignId),
                o.Targeted.ToString("N0", CultureInfo.InvariantCulture),
                heldOut.ToString("N0", CultureInfo.InvariantCulture),
                $"{o.SentByChannel.GetValueOrDefault(Delivery.Channels.Sms):N0} / {o.SentByChannel.GetValueOrDefault(Delivery.Channels.InApp):N0}",
                $"{o.CouponsRedeemed:N0} of {o.CouponsIssued:N0}",
                Rate(o.ReachedActive, o.Reached),
                Rate(o.HeldOutActive, heldOut),
                Markup.Escape(o.Lift is { } lift ? string.Create(CultureInfo.InvariantCulture, $"{lift.Estimate:+0.0;-0.0} pts [{lift.Low:+0.0;-0.0}, {lift.High:+0.0;-0.0}]") : "-"),
                o.WindowClosed ? $"{o.WindowDays} d, closed" : $"{o.WindowDays} d, open");
        }

        AnsiConsole.Write(table);
    }

    private static string Rate(long active, long of) => of == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * active / of:0.0}% ({active:N0}/{of:N0})");
}
