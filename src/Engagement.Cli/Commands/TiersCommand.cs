using System.ComponentModel;
using System.Globalization;
using Engagement.Segmentation;
using Engagement.Users;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class TiersCommand : AsyncCommand<TiersCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--export <FILE>")]
        [Description("Write user_id,recency_days,frequency,monetary,r_score,f_score,m_score,tier for every user (values as of the latest run).")]
        public string? Export { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var latest = await engine.Get<NightlyJob>().LatestAsync(cancellationToken);
        if (latest is null)
        {
            AnsiConsole.MarkupLine("[yellow]No nightly run yet: run `engage nightly` first.[/]");
            return 1;
        }

        var segmentation = engine.Get<IOptions<SegmentationOptions>>().Value;
        CliEnvironment.PrintRun(latest);
        CliEnvironment.PrintTiers(latest, segmentation);
        if (settings.Export is null)
        {
            return 0;
        }

        var rows = 0;
        await using (var w = new StreamWriter(settings.Export))
        {
            await w.WriteLineAsync("user_id,recency_days,frequency,monetary,r_score,f_score,m_score,tier");
            await foreach (var u in engine.Get<UserStore>().ScanAsync(cancellationToken))
            {
                var v = RfmValues.From(u.Activity, latest.AsOf.DayNumber, segmentation.FrequencyWindowDays, segmentation.MonetaryWindowDays);
                var s = u.Standing;
                await w.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{ScoreCsv.Escape(u.UserId)},{(v.HasHistory ? v.RecencyDays.ToString(CultureInfo.InvariantCulture) : "")},{v.Frequency},{v.MonetaryMinor / 100m:0.00},{s?.Scores.R ?? 0},{s?.Scores.F ?? 0},{s?.Scores.M ?? 0},{s?.Tier ?? ""}"));
                rows++;
            }
        }

        AnsiConsole.MarkupLine($"Wrote {rows:N0} users to {Markup.Escape(settings.Export)}.");
        return 0;
    }
}
