using System.Globalization;
using Engagement.Messaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>The messages waiting on a poison queue (peeked: nothing changes).</summary>
internal sealed class PoisonListCommand : AsyncCommand<PoisonQueueSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PoisonQueueSettings settings, CancellationToken cancellationToken)
    {
        // checked before starting the engine: a typo should not wait for Azurite
        if (settings.Resolve() is null)
        {
            return 2;
        }

        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var peek = await engine.Get<PoisonQueue>().PeekAsync(settings.Queue, PoisonQueue.MaxBatch, cancellationToken);
        PoisonCommands.PrintMessages(peek.PoisonQueue, peek.Messages, withError: true);
        AnsiConsole.MarkupLine($"about {peek.ApproximateCount:N0} message(s) on {peek.PoisonQueue}{(peek.ApproximateCount > peek.Messages.Count ? $", first {peek.Messages.Count} shown" : "")}");
        return 0;
    }
}
