using System.ComponentModel;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal class PlaybookNameSettings : CommandSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("A playbook's name (engage playbook list).")]
    public string Name { get; init; } = "";
}

internal sealed class PlaybookPeriodSettings : PlaybookNameSettings
{
    [CommandOption("--period <PERIOD>")]
    [Description("The run's period in the ops zone: 2026-12 (month), 2026-W49 (week) or 2026-12-01 (day). Default: the current one.")]
    public string? Period { get; init; }
}

internal sealed class PlaybookPreviewSettings : PlaybookNameSettings
{
    [CommandOption("--period <PERIOD>")]
    [Description("The run's period in the ops zone: 2026-12 (month), 2026-W49 (week) or 2026-12-01 (day). Default: the next run's.")]
    public string? Period { get; init; }

    [CommandOption("--samples <N>")]
    [Description("Recipients shown per channel and outcome.")]
    public int Samples { get; init; } = 3;
}

internal sealed class PlaybookStatusSettings : PlaybookNameSettings
{
    [CommandOption("--periods <N>")]
    [Description("How many periods, the next run's first.")]
    public int Periods { get; init; } = 6;
}
