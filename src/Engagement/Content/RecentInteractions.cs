using System.Globalization;

namespace Engagement.Content;

/// <summary>
/// The days a user had an <c>interaction</c> event per category, for the last <see cref="KeepDays"/> days: the weekly run's
/// holdout gets nothing from the run, so its organic interaction rate is read from here (and from the content
/// interactions table). The interest profile cannot answer it: its weights are decayed sums with no dates. The user-row
/// column <c>RecentInteractions</c> is <c>740123:fitness,740125:recipes</c> (the ops-zone <see cref="DateOnly.DayNumber"/>,
/// then the category, which holds no comma), oldest first, at most <see cref="MaxEntries"/>. Immutable.
/// </summary>
public sealed class RecentInteractions
{
    /// <summary>Four weeks and a week's attribution window: the outcome of a run reads it up to a week after the window closes.</summary>
    public const int KeepDays = 35;

    /// <summary>A user interacting in many categories every day keeps the newest ones: the column stays under ~1 KB.</summary>
    public const int MaxEntries = 64;

    public static readonly RecentInteractions Empty = new([]);

    private readonly (int Day, string Category)[] _entries;

    private RecentInteractions((int Day, string Category)[] entries) => _entries = entries;

    public int Count => _entries.Length;

    /// <summary>With one more interaction on <paramref name="day"/>: days older than <see cref="KeepDays"/> before the newest are dropped.</summary>
    public RecentInteractions Add(DateOnly day, string category)
    {
        if (_entries.Contains((day.DayNumber, category)))
        {
            return this;
        }

        var newest = Math.Max(day.DayNumber, _entries.Length == 0 ? int.MinValue : _entries.Max(e => e.Day));
        return new([.. _entries.Append((Day: day.DayNumber, Category: category))
            .Where(e => e.Day > newest - KeepDays)
            .OrderBy(e => e.Day).ThenBy(e => e.Category, StringComparer.Ordinal)
            .TakeLast(MaxEntries)]);
    }

    /// <summary>Whether any interaction in one of <paramref name="categories"/> fell on a day in [<paramref name="from"/>, <paramref name="until"/>).</summary>
    public bool Any(IReadOnlyCollection<string> categories, DateOnly from, DateOnly until) =>
        _entries.Any(e => e.Day >= from.DayNumber && e.Day < until.DayNumber && categories.Contains(e.Category, StringComparer.Ordinal));

    public string Format() => string.Join(',', _entries.Select(e => e.Day.ToString(CultureInfo.InvariantCulture) + ":" + e.Category));

    /// <summary>The column's value; an unreadable one reads as empty (it is a measure's input, never a decision's).</summary>
    public static RecentInteractions Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty;
        }

        var entries = new List<(int, string)>();
        foreach (var part in text.Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == part.Length - 1 || !int.TryParse(part.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var day))
            {
                return Empty;
            }

            entries.Add((day, part[(colon + 1)..]));
        }

        return new([.. entries.Distinct()]);
    }
}
