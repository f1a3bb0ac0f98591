using Engagement.Playbooks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>
/// Starts a playbook's run for a period by hand: the very trigger the timer would enqueue, so a run
/// that exists already (or is started again later) stays one campaign. <c>content</c> is the weekly content run.
/// </summary>
internal sealed class PlaybookRunCommand : AsyncCommand<PlaybookPeriodSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PlaybookPeriodSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        PlaybookStart start;
        try
        {
            start = string.Equals(settings.Name, Content.ContentWeeklyRun.Playbook, StringComparison.OrdinalIgnoreCase)
                ? await RunContentAsync(engine, settings.Period, cancellationToken)
                : await engine.Get<PlaybookRuns>().StartAsync(settings.Name, settings.Period, cancellationToken);
        }
        catch (Exception ex) when (ex is UnknownPlaybookException or FormatException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 1;
        }

        var color = start.Outcome switch
        {
            PlaybookStartOutcomes.Started => "green",
            PlaybookStartOutcomes.AlreadyStarted => "yellow",
            _ => "red",
        };
        AnsiConsole.MarkupLine($"[{color}]{start.Outcome}[/]: {Markup.Escape(start.Detail)}");
        if (start.Outcome == PlaybookStartOutcomes.Started && start.Playbook != Content.ContentWeeklyRun.Playbook)
        {
            AnsiConsole.MarkupLine("run [bold]engage drain[/] to process it on this machine; [bold]engage playbook status " + Markup.Escape(start.Playbook) + "[/] shows its deliveries");
        }

        return start.Outcome is PlaybookStartOutcomes.Started or PlaybookStartOutcomes.AlreadyStarted ? 0 : 1;
    }

    /// <summary>The weekly content run (not a campaign of the Playbooks section): picked, recorded and handed off here, as the timer does.</summary>
    private static async Task<PlaybookStart> RunContentAsync(Local.LocalEngine engine, string? period, CancellationToken cancellationToken)
    {
        var result = await engine.Get<Content.ContentWeeklyRun>().RunAsync(period, cancellationToken);
        return new PlaybookStart(Content.ContentWeeklyRun.Playbook, result.RunId, result.Outcome, result.Detail);
    }
}
