using System.Globalization;
using Engagement.Activity;
using Engagement.Ingest;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

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
