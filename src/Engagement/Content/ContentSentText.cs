using System.Globalization;

namespace Engagement.Content;

/// <summary>
/// The user-row column <c>ContentSent</c>: the weekly items sent to a user, one line per item, <c>2026-11-30T02:00:00Z
/// recipe-1</c> (the run's instant to the second in UTC, a space, the item id). An item id may hold spaces, commas or
/// semicolons but no control character (a table key's rule), so a newline separates entries and the fixed-width instant
/// ends at a known place. Only entries inside the repeat window are kept, so the column stays a few hundred bytes.
/// </summary>
public static class ContentSentText
{
    private const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";
    private const int InstantLength = 20;

    public static string Format(IEnumerable<ContentSend> sent) =>
        string.Join('\n', sent.OrderBy(s => s.SentAt).ThenBy(s => s.ItemId, StringComparer.Ordinal)
            .Select(s => s.SentAt.UtcDateTime.ToString(InstantFormat, CultureInfo.InvariantCulture) + " " + s.ItemId));

    /// <summary>The entries of <paramref name="text"/> (empty or null: none); a line this version cannot read is skipped, not fatal (the pick then may repeat that one item).</summary>
    public static IReadOnlyList<ContentSend> Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var sent = new List<ContentSend>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > InstantLength + 1 && line[InstantLength] == ' '
                && DateTimeOffset.TryParseExact(line.AsSpan(0, InstantLength), InstantFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                sent.Add(new ContentSend(line[(InstantLength + 1)..], at));
            }
        }

        return sent;
    }

    /// <summary>The history after one more send at <paramref name="at"/>: entries older than <paramref name="window"/> before it dropped, and the same send twice kept once.</summary>
    public static IReadOnlyList<ContentSend> With(IReadOnlyList<ContentSend> sent, ContentSend added, TimeSpan window) =>
        [.. sent.Where(s => added.SentAt - s.SentAt < window).Append(added).Distinct()];
}
