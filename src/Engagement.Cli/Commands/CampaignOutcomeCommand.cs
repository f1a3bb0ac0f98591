using System.ComponentModel;
using Engagement.Campaigns;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class CampaignOutcomeSettings : CampaignStatusSettings
{
    [CommandOption("--window <DAYS>")]
    [Description("Days from the day a user was reached (or the campaign was planned, for the holdout) in which activity counts. Default 14.")]
    public int Window { get; init; } = 14;

    public override ValidationResult Validate() =>
        Window is >= 1 and <= 90 ? ValidationResult.Success() : ValidationResult.Error("--window must be 1-90 days");
}

/// <summary>The ops team's wake-up rate for one campaign: reached users active again in the window, against its holdout.</summary>
internal sealed class CampaignOutcomeCommand : AsyncCommand<CampaignOutcomeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignOutcomeSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        if (await engine.Get<CampaignStore>().GetAsync(settings.CampaignId, cancellationToken) is null)
        {
            AnsiConsole.MarkupLine($"[red]no campaign '{Markup.Escape(settings.CampaignId)}'[/]");
            return 1;
        }

        var o = await engine.Get<Outcomes.Reactivations>().MeasureAsync(settings.CampaignId, settings.Window, cancellationToken);
        static string Points(double pt) => pt.ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture);
        static string Percent(double? rate) => rate?.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
        var table = new Table().Title($"Campaign {Markup.Escape(o.CampaignId)}: active within {o.WindowDays} days")
            .AddColumn("group").AddColumn(new TableColumn("users").RightAligned()).AddColumn(new TableColumn("active again").RightAligned()).AddColumn(new TableColumn("rate").RightAligned());
        table.AddRow("reached", o.Reached.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), o.ReachedActive.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Percent(o.Rate));
        table.AddRow("held out", o.HeldOut.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), o.HeldOutActive.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Percent(o.HoldoutRate));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(o.LiftInterval is { } lift
            ? $"lift over the holdout: [bold]{Points(lift.Estimate)} pt[/] (95% interval {Points(lift.Low)} to {Points(lift.High)} pt, Newcombe)"
            : "no holdout to compare with (set holdoutPercent in the trigger)");
        if (o.StillInWindow > 0)
        {
            AnsiConsole.MarkupLine($"[grey]{o.StillInWindow:N0} user(s) are still inside their window: the rates can still rise.[/]");
        }

        AnsiConsole.MarkupLine($"[grey]Reactivated users are recorded in the {TableNames.Reactivations} table (PartitionKey {Markup.Escape(o.CampaignId)}).[/]");
        return 0;
    }
}
