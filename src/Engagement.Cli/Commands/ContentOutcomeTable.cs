using System.Globalization;
using Engagement.Interactions;
using Spectre.Console;

namespace Engagement.Cli.Commands;

/// <summary>The weekly content runs' outcomes as tables: `engage playbook status content` and the month demo print the same.</summary>
internal static class ContentOutcomeTable
{
    /// <summary>A row per run, latest first.</summary>
    public static Table Runs(IReadOnlyList<ContentRunOutcome> runs, int windowDays)
    {
        var table = new Table().Title($"Weekly content by run; interaction = opened or clicked the run's item within {windowDays} days of the send; holdout: any interaction in the item's categories within {windowDays} days of the run")
            .AddColumn("run").AddColumn(new TableColumn("picked").RightAligned()).AddColumn(new TableColumn("held out").RightAligned())
            .AddColumn(new TableColumn("sent").RightAligned()).AddColumn(new TableColumn("opened").RightAligned()).AddColumn(new TableColumn("clicked").RightAligned())
            .AddColumn(new TableColumn("interaction: treated").RightAligned()).AddColumn(new TableColumn("holdout (organic)").RightAligned())
            .AddColumn(new TableColumn("difference (95% CI)").RightAligned())
            .AddColumn(new TableColumn("open rate: interest match").RightAligned()).AddColumn(new TableColumn("other picks").RightAligned());
        foreach (var r in runs)
        {
            table.AddRow(
                Markup.Escape(r.RunId), N(r.Picked), N(r.HeldOut), N(r.Sent), N(r.Opened), N(r.Clicked),
                Rate(r.Rates.Interacted, r.Rates.Reached), Rate(r.Rates.Organic, r.Rates.HeldOut), Lift(r.Rates),
                Rate(r.OpenedMatching, r.SentMatching), Rate(r.OpenedOther, r.SentOther));
        }

        return table;
    }

    /// <summary>One run's rates per category (the item's first category).</summary>
    public static Table Categories(ContentRunOutcome run)
    {
        var table = new Table().Title($"{Markup.Escape(run.RunId)} by category (the item's first)")
            .AddColumn("category").AddColumn(new TableColumn("interaction: treated").RightAligned())
            .AddColumn(new TableColumn("holdout (organic)").RightAligned()).AddColumn(new TableColumn("difference (95% CI)").RightAligned());
        foreach (var (category, rates) in run.PerCategory)
        {
            table.AddRow(Markup.Escape(category), Rate(rates.Interacted, rates.Reached), Rate(rates.Organic, rates.HeldOut), Lift(rates));
        }

        return table;
    }

    public static string Lift(ContentRates rates) =>
        Markup.Escape(rates.Lift is { } lift ? string.Create(CultureInfo.InvariantCulture, $"{lift.Estimate:+0.0;-0.0} pts [{lift.Low:+0.0;-0.0}, {lift.High:+0.0;-0.0}]") : "-");

    public static string Rate(long count, long of) => of == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * count / of:0.0}% ({count:N0}/{of:N0})");

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
