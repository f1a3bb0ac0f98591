using System.Globalization;
using Engagement.WakeUp;
using Spectre.Console;

namespace Engagement.Cli.Commands;

/// <summary>The wake-up plan's cohorts as a table: `engage playbook status wakeup` and the month demo print the same.</summary>
internal static class WakeUpCohortTable
{
    public static Table Of(IReadOnlyList<WakeUpCohort> cohorts, int activeDays, int days)
    {
        var table = new Table().Title($"Wake-up plan by cohort (week of the first step); first-month active = active on at least {activeDays} days within {days} days of the start")
            .AddColumn("cohort").AddColumn(new TableColumn("plans").RightAligned()).AddColumn(new TableColumn("held out").RightAligned())
            .AddColumn(new TableColumn("ended early").RightAligned()).AddColumn(new TableColumn("steps sent").RightAligned())
            .AddColumn(new TableColumn("completed").RightAligned()).AddColumn("completion by step 1..7")
            .AddColumn(new TableColumn("points").RightAligned()).AddColumn(new TableColumn("redeemed").RightAligned())
            .AddColumn(new TableColumn("first-month active: treated").RightAligned()).AddColumn(new TableColumn("holdout").RightAligned())
            .AddColumn(new TableColumn("difference (95% CI)").RightAligned()).AddColumn("first month");
        foreach (var c in cohorts)
        {
            table.AddRow(
                c.Week,
                c.Treated.ToString("N0", CultureInfo.InvariantCulture),
                c.HeldOut.ToString("N0", CultureInfo.InvariantCulture),
                c.Ended.ToString("N0", CultureInfo.InvariantCulture),
                c.StepsSent.ToString("N0", CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{100 * c.CompletionRate:0.0}%"),
                string.Join(" ", c.SentPerStep.Zip(c.CompletedPerStep, (s, d) => s == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * d / s:0}%"))),
                c.PointsAwarded.ToString("N0", CultureInfo.InvariantCulture),
                c.CouponsRedeemed.ToString("N0", CultureInfo.InvariantCulture),
                Rate(c.TreatedActive, c.Treated),
                Rate(c.HeldOutActive, c.HeldOut),
                Markup.Escape(c.Lift is { } lift ? string.Create(CultureInfo.InvariantCulture, $"{lift.Estimate:+0.0;-0.0} pts [{lift.Low:+0.0;-0.0}, {lift.High:+0.0;-0.0}]") : "-"),
                c.Closed ? "closed" : "open");
        }

        return table;
    }

    private static string Rate(long active, long of) => of == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * active / of:0.0}% ({active:N0}/{of:N0})");
}
