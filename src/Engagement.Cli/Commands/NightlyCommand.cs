using System.ComponentModel;
using System.Globalization;
using Engagement.Local;
using Engagement.Segmentation;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class NightlyCommand : AsyncCommand<NightlyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--as-of <DATE>")]
        [Description("The day to score as of (yyyy-MM-dd, ops time zone). Default: yesterday.")]
        public string? AsOf { get; init; }

        [CommandOption("--resume")]
        [Description("Resume the date's unfinished run instead of starting a new attempt.")]
        public bool Resume { get; init; }

        public override ValidationResult Validate() =>
            AsOf is null || DateOnly.TryParseExact(AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? ValidationResult.Success()
                : ValidationResult.Error("--as-of takes a date as yyyy-MM-dd");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var asOf = settings.AsOf is null ? engine.Get<NightlyJob>().DefaultAsOf() : DateOnly.ParseExact(settings.AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        NightlyRunSummary summary = null!;
        await AnsiConsole.Progress().StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"Nightly run as of {asOf:yyyy-MM-dd}", maxValue: engine.Get<Storage.UserShards>().Count * 2);
            summary = await LocalNightly.RunAsync(engine, asOf, settings.Resume ? NightlyStartMode.StartOrResume : NightlyStartMode.NewAttempt,
                new Progress<Local.Queues.PumpProgress>(p => task.Value = p.Handled), cancellationToken);
        });
        CliEnvironment.PrintRun(summary);
        CliEnvironment.PrintTiers(summary, engine.Get<IOptions<SegmentationOptions>>().Value);
        return summary.IsComplete ? 0 : 1;
    }
}
