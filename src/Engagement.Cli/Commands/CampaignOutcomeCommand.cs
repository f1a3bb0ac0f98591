using System.ComponentModel;
using System.Globalization;
using Engagement.Campaigns;
using Engagement.Outcomes;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class CampaignOutcomeSettings : CampaignStatusSettings
{
    [CommandOption("--window <DAYS>")]
    [Description("Days from the day a user was reached (or the campaign was planned, for the holdout) in which activity counts. Default 14.")]
    public int Window { get; init; } = 14;

    [CommandOption("--stored")]
    [Description("Print the latest recorded outcome (runoutcomes) without measuring again.")]
    public bool Stored { get; init; }

    public override ValidationResult Validate() =>
        Window is >= 1 and <= 90 ? ValidationResult.Success() : ValidationResult.Error("--window must be 1-90 days");
}

/// <summary>
/// The ops team's wake-up rate for one campaign (or playbook run): reached users active again in the window,
/// against its holdout, with the lift's 95% interval; measures and records it (runoutcomes), or prints the record.
/// </summary>
internal sealed class CampaignOutcomeCommand : AsyncCommand<CampaignOutcomeSettings>
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public override async Task<int> ExecuteAsync(CommandContext context, CampaignOutcomeSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        if (await engine.Get<CampaignStore>().GetAsync(settings.CampaignId, cancellationToken) is null)
        {
            AnsiConsole.MarkupLine($"[red]no campaign '{Markup.Escape(settings.CampaignId)}'[/]");
            return 1;
        }

        var outcomes = engine.Get<RunOutcomes>();
        var o = settings.Stored ? await outcomes.LatestAsync(settings.CampaignId, cancellationToken) : await outcomes.RecordAsync(settings.CampaignId, settings.Window, cancellationToken);
        if (o is null)
        {
            AnsiConsole.MarkupLine($"[yellow]no outcome recorded for '{Markup.Escape(settings.CampaignId)}' yet: run without --stored to measure it[/]");
            return 1;
        }

        Print(o);
        return 0;
    }

    private static void Print(RunOutcome o)
    {
        static string N(long n) => n.ToString("N0", Inv);
        static string Percent(long active, long users) => users == 0 ? "-" : ((double)active / users).ToString("P1", Inv);
        static string Points(double pt) => pt.ToString("+0.0;-0.0;0.0", Inv);

        var facts = new Grid().AddColumn().AddColumn();
        facts.AddRow("targeted", $"{N(o.Targeted)} ({N(o.HeldOut)} held out)");
        facts.AddRow("sent", o.SentByChannel.Count == 0 ? "0" : string.Join(", ", o.SentByChannel.Select(kv => $"{Markup.Escape(kv.Key)} {N(kv.Value)}")));
        facts.AddRow("coupons", $"{N(o.CouponsIssued)} issued, {N(o.CouponsRedeemed)} redeemed");
        facts.AddRow("measured", $"{o.MeasuredAt.ToString("yyyy-MM-dd HH:mm", Inv)} UTC, " + (o.WindowClosed ? "window closed: final" : "[yellow]window still open: the rates can still rise[/]"));
        AnsiConsole.Write(facts);

        var table = new Table().Title($"Campaign {Markup.Escape(o.CampaignId)}: active within {o.WindowDays} days")
            .AddColumn("group").AddColumn(new TableColumn("users").RightAligned()).AddColumn(new TableColumn("active again").RightAligned()).AddColumn(new TableColumn("rate").RightAligned());
        table.AddRow("reached", N(o.Reached), N(o.ReachedActive), Percent(o.ReachedActive, o.Reached));
        table.AddRow("held out", N(o.HeldOut), N(o.HeldOutActive), Percent(o.HeldOutActive, o.HeldOut));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(o.Lift is { } lift
            ? $"lift over the holdout: [bold]{Points(lift.Estimate)} pt[/] (95% interval {Points(lift.Low)} to {Points(lift.High)} pt, Newcombe)"
            : "no holdout to compare with (set holdoutPercent in the trigger)");
        AnsiConsole.MarkupLine($"[grey]Recorded in {TableNames.RunOutcomes} (PartitionKey {Markup.Escape(o.CampaignId)}, RowKey {RunOutcomeStore.RowKey(o.WindowDays)}); reactivated users in {TableNames.Reactivations}.[/]");
    }
}
