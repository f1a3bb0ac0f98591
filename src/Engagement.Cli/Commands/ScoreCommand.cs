using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Engagement.Segmentation;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class ScoreCommand : Command<ScoreCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<INPUT>")]
        [Description("user_id,recency_days,frequency,monetary")]
        public string Input { get; init; } = "";

        [CommandArgument(1, "<OUTPUT>")]
        [Description("user_id,r_score,f_score,m_score,tier")]
        public string Output { get; init; } = "";

        [CommandOption("--stats", IsHidden = true)]
        [Description("Print one JSON line with the phase times and the process's peak working set (used by engage bench score).")]
        public bool Stats { get; init; }

        public override ValidationResult Validate() =>
            File.Exists(Input) ? ValidationResult.Success() : ValidationResult.Error($"no such file: {Input}");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var t0 = Stopwatch.GetTimestamp();
        ScoreCsv.Input input;
        try
        {
            input = ScoreCsv.Read(settings.Input);
        }
        catch (FormatException ex)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(settings.Input)}: {Markup.Escape(ex.Message)}[/]");
            return 1;
        }

        var classifier = Classifier();
        var t1 = Stopwatch.GetTimestamp();
        var result = RfmBatchScorer.Score(input.Values, classifier);
        var t2 = Stopwatch.GetTimestamp();
        ScoreCsv.Write(settings.Output, input.Ids, result);
        var t3 = Stopwatch.GetTimestamp();
        if (settings.Stats)
        {
            // the same shape as pandas_rfm.py's line, so bench score reads both alike
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
            {
                ["read"] = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds,
                ["score"] = Stopwatch.GetElapsedTime(t1, t2).TotalSeconds,
                ["write"] = Stopwatch.GetElapsedTime(t2, t3).TotalSeconds,
                ["total"] = Stopwatch.GetElapsedTime(t0, t3).TotalSeconds,
                ["peak_bytes"] = Process.GetCurrentProcess().PeakWorkingSet64,
            }));
            return 0;
        }

        var counts = result.Tiers.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        AnsiConsole.MarkupLine($"Scored {input.Ids.Length:N0} users into {Markup.Escape(settings.Output)}: " +
            string.Join(", ", counts.Select(kv => $"{Markup.Escape(kv.Key)} {kv.Value:N0} ({(double)kv.Value / Math.Max(1, input.Ids.Length):P1})")));
        return 0;
    }

    /// <summary>Tier rules from the same settings the engine reads (Segmentation:*), without any storage.</summary>
    public static TierClassifier Classifier()
    {
        var options = CliEnvironment.Configuration().GetSection(SegmentationOptions.SectionName).Get<SegmentationOptions>() ?? new SegmentationOptions();
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();
        return errors.Count == 0 ? new TierClassifier(options) : throw new InvalidOperationException(string.Join(" ", errors));
    }
}
