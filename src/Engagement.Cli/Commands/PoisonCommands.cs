using System.Globalization;
using Engagement.Messaging;
using Engagement.Users;
using Spectre.Console;

namespace Engagement.Cli.Commands;

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
