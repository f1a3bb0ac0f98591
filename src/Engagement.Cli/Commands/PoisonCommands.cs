using System.ComponentModel;
using System.Globalization;
using Engagement.Messaging;
using Engagement.Users;
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

internal static class PoisonCommands
{
    // a long replay would otherwise print thousands of rows
    private const int MaxRows = 100;

    public static void PrintMessages(string title, IReadOnlyList<PoisonMessage> messages, bool withError)
    {
        if (messages.Count == 0)
        {
            return; // the summary line says so
        }

        var table = new Table().Title(Markup.Escape(title)).AddColumn("message id").AddColumn("inserted (UTC)").AddColumn(new TableColumn("dequeues").RightAligned()).AddColumn("body");
        if (withError)
        {
            table.AddColumn("error");
        }

        foreach (var m in messages.Take(MaxRows))
        {
            var cells = new List<string>
            {
                Markup.Escape(m.MessageId),
                m.InsertedOn?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                m.DequeueCount.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Snippet(PhoneMask.Mask(m.Body), 80)),
            };
            if (withError)
            {
                cells.Add(Markup.Escape(Snippet(PhoneMask.Mask(m.Error ?? "-"), 80)));
            }

            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
        if (messages.Count > MaxRows)
        {
            AnsiConsole.MarkupLine($"[grey]... and {messages.Count - MaxRows:N0} more[/]");
        }
    }

    /// <summary>One line of at most <paramref name="max"/> characters: JSON bodies are often pretty-printed.</summary>
    private static string Snippet(string text, int max)
    {
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
