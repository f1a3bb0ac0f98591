using System.Globalization;
using Engagement.Messaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>Moves poison messages back to their queue once the cause is fixed.</summary>
internal sealed class PoisonReplayCommand : AsyncCommand<PoisonReplaySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PoisonReplaySettings settings, CancellationToken cancellationToken)
    {
        if (settings.Resolve() is null)
        {
            return 2;
        }

        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var result = await engine.Get<PoisonQueue>().ReplayAsync(settings.Queue, settings.Max ?? int.MaxValue, settings.DryRun, cancellationToken);
        PoisonCommands.PrintMessages(result.PoisonQueue, result.Messages, withError: result.DryRun);
        AnsiConsole.MarkupLine(result.DryRun
            ? $"dry run: would replay {result.Count:N0} message(s) from {result.PoisonQueue} to {result.Queue} [grey](a dry run shows at most {PoisonQueue.MaxBatch})[/]"
            : $"replayed {result.Count:N0} message(s) from {result.PoisonQueue} to {result.Queue}");
        return 0;
    }
}
