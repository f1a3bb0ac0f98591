using Engagement.Campaigns;
using Engagement.Local;
using Engagement.Local.Queues;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>Processes the engine's queues on this machine until they are empty, as the Functions host would.</summary>
internal sealed class DrainCommand : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var results = new List<(string Queue, PumpProgress Result)>();
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            // live bars on a terminal only: redirected, Spectre's progress drops lines it had no refresh for
            await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
            {
                foreach (var queue in QueueNames.All)
                {
                    var task = ctx.AddTask(queue, maxValue: 1);
                    results.Add((queue, await DrainAsync(engine, queue, p =>
                    {
                        task.MaxValue = Math.Max(1, p.Handled + p.DeadLettered + Math.Max(0, p.Remaining));
                        task.Value = p.Handled + p.DeadLettered;
                    }, cancellationToken)));
                    task.Value = task.MaxValue;
                }
            });
        }
        else
        {
            foreach (var queue in QueueNames.All)
            {
                results.Add((queue, await DrainAsync(engine, queue, null, cancellationToken)));
            }
        }

        // one summary line per queue, always written (terminal or not)
        foreach (var (queue, result) in results)
        {
            AnsiConsole.MarkupLine($"{queue}: {result.Handled:N0} handled, {result.DeadLettered:N0} dead-lettered"
                + (result.Remaining > 0 ? $", {result.Remaining:N0} waiting (sendAt or quiet hours)" : ""));
        }

        var dead = results.Sum(r => r.Result.DeadLettered);
        if (dead > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]{dead:N0} message(s) dead-lettered: see the errors table and the -poison queues[/]");
        }

        return dead == 0 ? 0 : 1;
    }

    private static Task<PumpProgress> DrainAsync(LocalEngine engine, string queue, Action<PumpProgress>? onProgress, CancellationToken ct) =>
        engine.Pump().DrainAsync(queue, onProgress is null ? null : new Progress<PumpProgress>(onProgress), ct, idleWhenOnlyDelayed: TimeSpan.FromSeconds(3));
}
