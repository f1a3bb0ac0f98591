using System.Globalization;
using Engagement.Activity;
using Engagement.Users;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

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
