using Engagement.Playbooks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>A playbook's recent runs: id, campaign state and deliveries by channel and state (from the ledger); a run of level bands, a line per band; the wake-up per cohort; the weekly content run's outcomes.</summary>
internal sealed class PlaybookStatusCommand : AsyncCommand<PlaybookStatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PlaybookStatusSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        if (string.Equals(settings.Name, "wakeup", StringComparison.OrdinalIgnoreCase))
        {
            // the wake-up plan is not a periodic run: its status is per cohort of plans
            var options = engine.Get<Microsoft.Extensions.Options.IOptions<WakeUp.WakeUpOptions>>().Value;
            AnsiConsole.Write(WakeUpCohortTable.Of(await engine.Get<WakeUp.WakeUpOutcomes>().CohortsAsync(cancellationToken), options.FirstMonthActiveDays, options.FirstMonthDays));
            return 0;
        }

        if (string.Equals(settings.Name, Content.ContentWeeklyRun.Playbook, StringComparison.OrdinalIgnoreCase))
        {
            // the weekly content run's status is its outcome: the interaction rate against the holdout's organic rate
            var outcomes = await engine.Get<Interactions.ContentOutcomes>().RecentAsync(Math.Max(1, settings.Periods), cancellationToken);
            if (outcomes.Count == 0)
            {
                AnsiConsole.MarkupLine($"no weekly content run in the last {Math.Max(1, settings.Periods)} weeks");
                return 0;
            }

            AnsiConsole.Write(ContentOutcomeTable.Runs(outcomes, engine.Get<Microsoft.Extensions.Options.IOptions<Content.ContentWeeklyOptions>>().Value.AttributionDays));
            foreach (var run in outcomes)
            {
                AnsiConsole.Write(ContentOutcomeTable.Categories(run));
            }

            return 0;
        }

        IReadOnlyList<PlaybookRunStatus> runs;
        try
        {
            runs = await engine.Get<PlaybookRuns>().StatusAsync(settings.Name, Math.Max(1, settings.Periods), cancellationToken);
        }
        catch (UnknownPlaybookException ex)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 1;
        }

        var table = new Table().AddColumn("run").AddColumn("state").AddColumn("deliveries by channel and state").AddColumn("coupons issued / redeemed");
        foreach (var run in runs)
        {
            var state = run.Campaign is { } c ? c.State + (c.Paused ? ", paused" : "") + $" (accepted {c.AcceptedAt:yyyy-MM-dd HH:mm}Z)" : "not started";
            var deliveries = string.Join("; ", run.Deliveries
                .GroupBy(d => (d.Key.Channel, d.Key.State))
                .OrderBy(g => g.Key.Channel, StringComparer.Ordinal).ThenBy(g => g.Key.State, StringComparer.Ordinal)
                .Select(g => $"{g.Key.Channel} {g.Key.State} {g.Sum(x => x.Value):N0}"));
            table.AddRow(Markup.Escape(run.Levels.Length > 0 ? $"{run.RunId} ({run.Levels})" : run.RunId), Markup.Escape(state), Markup.Escape(deliveries), run.Campaign is null ? "" : $"{run.CouponsIssued:N0} / {run.CouponsRedeemed:N0}");
        }

        AnsiConsole.Write(table);
        return 0;
    }
}
