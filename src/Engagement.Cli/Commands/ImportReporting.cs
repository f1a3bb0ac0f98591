using System.Globalization;
using Engagement.Activity;
using Engagement.Imports;
using Spectre.Console;

namespace Engagement.Cli.Commands;

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
