using System.ComponentModel;
using Engagement.Messaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal class PoisonQueueSettings : CommandSettings
{
    [CommandArgument(0, "<QUEUE>")]
    [Description("activity-events, nightly-shards, campaign-triggers, deliveries or provider-callbacks (the -poison name works too).")]
    public string Queue { get; init; } = "";

    /// <summary>The queue pair, or null after printing why the name is refused (the caller exits with 2).</summary>
    public (string Queue, string PoisonQueue)? Resolve()
    {
        try
        {
            return PoisonQueue.Resolve(Queue);
        }
        catch (ArgumentException ex)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return null;
        }
    }
}

internal sealed class PoisonReplaySettings : PoisonQueueSettings
{
    [CommandOption("--dry-run")]
    [Description("Only list what would be replayed (at most 32 messages shown); nothing moves.")]
    public bool DryRun { get; init; }

    [CommandOption("--max <N>")]
    [Description("Replay at most N messages (default: all).")]
    public int? Max { get; init; }

    public override ValidationResult Validate() =>
        Max is null or >= 1 ? ValidationResult.Success() : ValidationResult.Error("--max must be at least 1");
}
