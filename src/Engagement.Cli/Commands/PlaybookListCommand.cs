using Engagement.Playbooks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>The configured playbooks: on or off, audience, schedule, next occurrence and the run it starts.</summary>
internal sealed class PlaybookListCommand : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var table = new Table().AddColumn("playbook").AddColumn("enabled").AddColumn("audience").AddColumn("channels").AddColumn("coupons")
            .AddColumn("schedule (UTC)").AddColumn("period").AddColumn("holdout").AddColumn("next run");
        foreach (var p in engine.Get<PlaybookRuns>().List())
        {
            var d = p.Definition;
            table.AddRow(
                Markup.Escape(p.Name),
                d.Enabled ? "[green]yes[/]" : "[red]no[/]",
                Markup.Escape(string.Join(", ", d.Tiers)),
                Markup.Escape(string.Join(", ", d.Channels.Select(c => c.Channel))),
                Markup.Escape(string.Join(", ", d.Coupons.Select(Coupon).Concat(d.Bands.Select(b => $"levels {b.MinLevel}-{b.MaxLevel} ({b.Name}): {string.Join(", ", b.Coupons.Select(Coupon))}")))),
                Markup.Escape(d.Schedule),
                d.Period.ToString().ToLowerInvariant(),
                $"{d.HoldoutPercent}%",
                d.Enabled ? $"{p.Next:yyyy-MM-dd HH:mm}Z ({Markup.Escape(PlaybookSchedule.RunId(p.Name, p.NextPeriod))})" : "-");
        }

        // the two playbooks with their own settings sections: the weekly content run and the wake-up plan (per user, every tick)
        var content = engine.Get<Engagement.Content.ContentWeeklyRun>();
        var weekly = engine.Get<Microsoft.Extensions.Options.IOptions<Engagement.Content.ContentWeeklyOptions>>().Value;
        var next = content.Schedule.Next(engine.Get<TimeProvider>().GetUtcNow());
        table.AddRow(Engagement.Content.ContentWeeklyRun.Playbook, weekly.Enabled ? "[green]yes[/]" : "[red]no[/]", Markup.Escape(weekly.Tier), "push, inapp (fallback)",
            "-", Markup.Escape(weekly.Schedule), "week", $"{weekly.HoldoutPercent}%",
            weekly.Enabled ? $"{next:yyyy-MM-dd HH:mm}Z ({Markup.Escape(PlaybookSchedule.RunId(Engagement.Content.ContentWeeklyRun.Playbook, content.Schedule.PeriodOf(next)))})" : "-");
        var wakeUp = engine.Get<Microsoft.Extensions.Options.IOptions<Engagement.WakeUp.WakeUpOptions>>().Value;
        table.AddRow("wakeup", wakeUp.Enabled ? "[green]yes[/]" : "[red]no[/]", Markup.Escape(wakeUp.Tier), "push, inapp (fallback)", "-",
            Markup.Escape($"each playbook tick; steps at {wakeUp.LocalTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)} local"), "7 days a plan", $"{wakeUp.HoldoutPercent}%", "-");

        AnsiConsole.Write(table);
        return 0;
    }

    private static string Coupon(PlaybookCoupon c) => $"{c.Item} {c.Value} {c.Currency} {c.ValidDays}d";
}
