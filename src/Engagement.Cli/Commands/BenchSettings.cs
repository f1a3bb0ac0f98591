using System.ComponentModel;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class BenchSettings : CommandSettings
{
    [CommandOption("--users <N>")]
    [Description("Population size.")]
    public int? Users { get; init; }

    [CommandOption("--events <N>")]
    [Description("Events to ingest (bench ingest).")]
    public int Events { get; init; } = 200_000;

    [CommandOption("--day-share <SHARE>")]
    [Description("bench nightly: share of the users whose next-day events are ingested before night 2 (1 = the whole day; lower = a quieter day, fewer tier changes).")]
    public double DayShare { get; init; } = 1.0;

    [CommandOption("--runs <N>")]
    [Description("bench score: whole-process runs of each side (engage score and the pandas script), after one warm-up each; medians are reported.")]
    public int Runs { get; init; } = 5;
}
