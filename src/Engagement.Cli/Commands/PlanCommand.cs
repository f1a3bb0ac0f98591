using System.ComponentModel;
using System.Globalization;
using Engagement.WakeUp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class PlanSettings : CommandSettings
{
    [CommandArgument(0, "<USER_ID>")]
    [Description("The user whose wake-up plans to show.")]
    public string UserId { get; init; } = "";
}

/// <summary>A user's wake-up plans and each step's state, times in the user's zone as the plan recorded it.</summary>
internal sealed class PlanCommand : AsyncCommand<PlanSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PlanSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var plans = await engine.Get<WakeUpPlanStore>().PlansAsync(settings.UserId, cancellationToken);
        if (plans.Count == 0)
        {
            AnsiConsole.MarkupLine($"{Markup.Escape(settings.UserId)} has no wake-up plan.");
            return 0;
        }

        foreach (var (plan, steps) in plans)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(plan.Zone);
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Plan {plan.PlanId} of {plan.UserId}: {plan.State}{(plan.EndReason is { } why ? $" ({why})" : "")}; started {plan.StartedAt:yyyy-MM-dd HH:mm}Z ({plan.Cause}), catalogue {plan.CatalogueVersion}, times in {plan.Zone}")));
            var table = new Table().AddColumn("step").AddColumn("local day").AddColumn("sends at").AddColumn("task").AddColumn(new TableColumn("points").RightAligned()).AddColumn("state");
            foreach (var row in steps)
            {
                var s = row.Step;
                table.AddRow(
                    s.Number.ToString(CultureInfo.InvariantCulture),
                    s.Time.LocalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    TimeZoneInfo.ConvertTime(s.Time.SendAt, zone).ToString("HH:mm", CultureInfo.InvariantCulture),
                    Markup.Escape(s.Task.Kind),
                    s.Task.Points.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(s.State + (s.Reason is { } reason ? $" ({reason})" : "")));
            }

            AnsiConsole.Write(table);
        }

        return 0;
    }
}
