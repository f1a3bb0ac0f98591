using System.ComponentModel;
using System.Globalization;
using Engagement.Activity;
using Engagement.Users;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal class ImportSettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("CSV file with a header row; an unknown, repeated or missing required column refuses the whole file (exit 2).")]
    public string File { get; init; } = "";

    public override ValidationResult Validate() =>
        System.IO.File.Exists(File) ? ValidationResult.Success() : ValidationResult.Error($"no such file: {File}");
}

internal sealed class ImportUsersSettings : ImportSettings
{
    [CommandOption("--region <CC>")]
    [Description("Country for phone numbers written without a country code (default CN).")]
    public string Region { get; init; } = "CN";
}

internal sealed class ImportUsersCommand : AsyncCommand<ImportUsersSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ImportUsersSettings settings, CancellationToken cancellationToken)
    {
        if (!await ImportReporting.HeaderAcceptedAsync(settings.File, UserCsvImport.CheckHeaderAsync))
        {
            return 2;
        }

        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        using var reader = new StreamReader(settings.File);
        var report = await engine.Get<UserCsvImport>().ImportAsync(reader, settings.Region, null, cancellationToken);
        return ImportReporting.Print(report, settings.File);
    }
}

internal sealed class ImportActivityCommand : AsyncCommand<ImportSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ImportSettings settings, CancellationToken cancellationToken)
    {
        if (!await ImportReporting.HeaderAcceptedAsync(settings.File, ActivityCsvImport.CheckHeaderAsync))
        {
            return 2;
        }

        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        using var reader = new StreamReader(settings.File);
        var report = await engine.Get<ActivityCsvImport>().ImportAsync(reader, new Progress<int>(n => AnsiConsole.MarkupLine($"[grey]{n:N0} events imported[/]")), cancellationToken);
        return ImportReporting.Print(report, settings.File);
    }
}

internal static class ImportReporting
{
    /// <summary>
    /// Checks the file's header before storage starts: an unknown, repeated or missing required column refuses the
    /// whole file (printed; the caller exits 2), since its values would otherwise be dropped or defaulted row after row.
    /// </summary>
    public static async Task<bool> HeaderAcceptedAsync(string file, Func<TextReader, Task> check)
    {
        try
        {
            await check(new StreamReader(file));
            return true;
        }
        catch (CsvHeaderException ex)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(file)}: {Markup.Escape(ex.Message)}[/]");
            return false;
        }
    }

    /// <summary>Prints the counts; rejected rows go to FILE.rejected.csv (line, error) so nothing is silently lost. Exit 1 if any.</summary>
    public static int Print(ImportReport report, string file)
    {
        AnsiConsole.MarkupLine($"{report.Rows:N0} rows read, {report.Imported:N0} imported, {report.Rejected.Count:N0} rejected.");
        if (report.Rejected.Count == 0)
        {
            return 0;
        }

        var rejectedPath = file + ".rejected.csv";
        using (var w = new StreamWriter(rejectedPath))
        {
            w.WriteLine("line,error");
            foreach (var (line, error) in report.Rejected)
            {
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line},\"{error.Replace("\"", "\"\"", StringComparison.Ordinal)}\""));
            }
        }

        foreach (var (line, error) in report.Rejected.Take(10))
        {
            AnsiConsole.MarkupLine($"[red]line {line}[/]: {Markup.Escape(error)}");
        }

        AnsiConsole.MarkupLine($"Rejected rows are listed in {Markup.Escape(rejectedPath)}.");
        return 1;
    }
}
