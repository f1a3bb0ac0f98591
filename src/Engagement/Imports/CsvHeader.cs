using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Engagement.Imports;

/// <summary>An import file refused whole for its header row; nothing of it was read past the header or written.</summary>
public sealed class CsvHeaderException(string message) : FormatException(message);

/// <summary>
/// An import file's header row checked against the columns the import knows. A misspelt column used to be
/// ignored, so its values were lost or defaulted row after row: an unknown, repeated or missing required
/// column now refuses the whole file, naming each one (with the nearest known name) and the expected set.
/// </summary>
public sealed class CsvHeader
{
    private readonly HashSet<string> _present;

    private CsvHeader(HashSet<string> present) => _present = present;

    /// <summary>Whether the file has <paramref name="column"/>; a column it leaves out states nothing.</summary>
    public bool Has(string column) => _present.Contains(column);

    /// <summary>Header names as the imports match them: trimmed, lower case.</summary>
    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    /// <summary>A reader positioned after the file's header, which is checked first (names trimmed, any case).</summary>
    /// <exception cref="CsvHeaderException">See <see cref="Check"/>.</exception>
    public static async Task<(CsvReader Csv, CsvHeader Header)> OpenAsync(TextReader reader, IReadOnlyList<string> known, IReadOnlyList<string> required)
    {
        var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = a => Normalize(a.Header),
            MissingFieldFound = null,
            // cells as written: the imports trim what may be padded and refuse padded ids
            TrimOptions = TrimOptions.None,
        });
        try
        {
            return (csv, Check(await csv.ReadAsync() && csv.ReadHeader() ? csv.HeaderRecord : null, known, required));
        }
        catch
        {
            csv.Dispose();
            throw;
        }
    }

    /// <exception cref="CsvHeaderException">No header, or a column that is unknown, repeated or required and missing.</exception>
    public static CsvHeader Check(IReadOnlyList<string>? header, IReadOnlyList<string> known, IReadOnlyList<string> required)
    {
        var expected = $"expected columns: {string.Join(',', known)} (required: {string.Join(',', required)})";
        if (header is null || header.Count == 0)
        {
            throw new CsvHeaderException($"file refused, nothing imported: it has no header row; {expected}");
        }

        var names = header.Select(Normalize).ToList();
        var problems = new List<string>();
        var unknown = names.Where(n => !known.Contains(n, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            problems.Add((unknown.Count == 1 ? "unknown column " : "unknown columns ") + string.Join(", ", unknown.Select(u => Describe(u, known))));
        }

        problems.AddRange(names.Where(n => n.Length > 0).GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"column '{g.Key}' appears {g.Count()} times"));
        problems.AddRange(required.Where(r => !names.Contains(r, StringComparer.Ordinal)).Select(r => $"missing required column '{r}'"));
        if (problems.Count > 0)
        {
            throw new CsvHeaderException($"file refused, nothing imported: {string.Join("; ", problems)}; {expected}");
        }

        return new CsvHeader(names.ToHashSet(StringComparer.Ordinal));
    }

    private static string Describe(string column, IReadOnlyList<string> known)
    {
        if (column.Length == 0)
        {
            return "'' (a column without a name: a stray comma?)";
        }

        var nearest = known.Select(k => (Name: k, Distance: Distance(column, k))).MinBy(k => k.Distance);
        // a close slip (typo, swapped letters, a missing underscore), not any column at all
        return nearest.Distance <= Math.Min(2, column.Length / 3) ? $"'{column}' (did you mean '{nearest.Name}'?)" : $"'{column}'";
    }

    /// <summary>Edits (insert, delete, substitute, swap two neighbours) that turn <paramref name="a"/> into <paramref name="b"/>.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
