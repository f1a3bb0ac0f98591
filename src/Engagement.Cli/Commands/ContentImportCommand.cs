using System.ComponentModel;
using Engagement.Content;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class ContentImportSettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("A catalogue file: .csv (header row; lists separated by ';') or .json (an array of objects); docs/contracts.md, \"Content catalogue file\".")]
    public string File { get; init; } = "";

    public override ValidationResult Validate() =>
        System.IO.File.Exists(File) ? ValidationResult.Success() : ValidationResult.Error($"no such file: {File}");
}

/// <summary>
/// Imports a catalogue file whole or not at all: exit 0 imported (new and updated counts), 1 bad rows (each printed with
/// its line and every reason; nothing written), 2 the file itself refused (columns, syntax; nothing written).
/// </summary>
internal sealed class ContentImportCommand : AsyncCommand<ContentImportSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ContentImportSettings settings, CancellationToken cancellationToken)
    {
        var text = await System.IO.File.ReadAllTextAsync(settings.File, cancellationToken);
        var format = ContentCatalogueFile.FormatOf(settings.File, text);
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var report = await engine.Get<ContentCatalogueImport>().ImportAsync(text, format, cancellationToken);
        var file = Markup.Escape(settings.File);
        if (report.File.FileErrors.Count > 0)
        {
            foreach (var error in report.File.FileErrors)
            {
                AnsiConsole.MarkupLine($"[red]{file}: {Markup.Escape(error)}[/]");
            }

            return 2;
        }

        if (report.Written is not { } written)
        {
            AnsiConsole.MarkupLine($"[red]{file}: refused, nothing imported: {report.File.BadRows.Count} of {report.File.Rows} rows are bad.[/]");
            foreach (var row in report.File.BadRows)
            {
                AnsiConsole.MarkupLine($"[red]line {row.Line}[/]: {Markup.Escape(string.Join("; ", row.Reasons))}");
            }

            return 1;
        }

        AnsiConsole.MarkupLine($"{file}: {report.File.Items.Count} items imported ({written.New} new, {written.Updated} updated).");
        return 0;
    }
}
