using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Engagement.Imports;

namespace Engagement.Content;

public enum ContentFileFormat
{
    Csv,
    Json,
}

/// <summary>One item as a file states it, before any rule: text as written (lists split, their parts trimmed); null = not stated.</summary>
public sealed record ContentFileRow(
    int Line,
    string? Id,
    string? Title,
    string? Body,
    string? DeepLink,
    IReadOnlyList<string>? Categories,
    IReadOnlyList<string>? Tags,
    string? Language,
    string? ActiveFrom,
    string? ActiveUntil,
    string? Priority,
    IReadOnlyList<string> ShapeErrors);

/// <summary>A bad row: its line (of the CSV record's first line, or the JSON object's opening brace) and every reason.</summary>
public sealed record ContentRowError(int Line, IReadOnlyList<string> Reasons);

/// <summary>
/// A catalogue file judged whole: its <see cref="Items"/> only when <see cref="IsValid"/>; otherwise the problems of the
/// file itself (columns, syntax) and every bad row with all its reasons, so one round of fixes is enough.
/// </summary>
public sealed record ContentFileResult(int Rows, IReadOnlyList<ContentItem> Items, IReadOnlyList<string> FileErrors, IReadOnlyList<ContentRowError> BadRows)
{
    public bool IsValid => FileErrors.Count == 0 && BadRows.Count == 0;
}

/// <summary>
/// Reads a content catalogue file, CSV (header row, <see cref="Columns"/>, lists separated by ';') or JSON (an array
/// of objects with <see cref="JsonFields"/>), and judges it as a whole with <see cref="ContentRowRules"/>: a file with
/// any bad row yields no items. Pure: no storage, no clock.
/// </summary>
public static class ContentCatalogueFile
{
    public static readonly IReadOnlyList<string> Columns =
        ["id", "title", "body", "deep_link", "categories", "tags", "language", "active_from", "active_until", "priority"];

    public static readonly IReadOnlyList<string> RequiredColumns = ["id", "title", "deep_link", "categories", "language", "active_from"];

    /// <summary>The JSON names of <see cref="Columns"/>, in the same order.</summary>
    public static readonly IReadOnlyList<string> JsonFields =
        ["id", "title", "body", "deepLink", "categories", "tags", "language", "activeFrom", "activeUntil", "priority"];

    /// <summary>By the file's extension; another extension by its first character ('[' is JSON).</summary>
    public static ContentFileFormat FormatOf(string path, string text) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => ContentFileFormat.Json,
        ".csv" => ContentFileFormat.Csv,
        _ => text.TrimStart().StartsWith('[') ? ContentFileFormat.Json : ContentFileFormat.Csv,
    };

    public static ContentFileResult Read(string text, ContentFileFormat format, ContentRowRules rules)
    {
        var fileErrors = new List<string>();
        var rows = format == ContentFileFormat.Json ? JsonRows(text, fileErrors) : CsvRows(text, fileErrors);
        if (fileErrors.Count > 0)
        {
            return new ContentFileResult(rows.Count, [], fileErrors, []);
        }

        return rules.Judge(rows, format);
    }

    private static List<ContentFileRow> CsvRows(string text, List<string> fileErrors)
    {
        var rows = new List<ContentFileRow>();
        string? badCell = null;
        using var csv = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            // a stray quote is the row's problem, reported with its line like any other, not the file's
            BadDataFound = a => badCell ??= a.Field,
            PrepareHeaderForMatch = a => CsvHeader.Normalize(a.Header),
            MissingFieldFound = null,
            TrimOptions = TrimOptions.None,
            // blank lines are skipped below, so that each record's first line is known (a body may span lines)
            IgnoreBlankLines = false,
        });
        try
        {
            if (!csv.Read() || !csv.ReadHeader())
            {
                CsvHeader.Check(null, Columns, RequiredColumns);
            }

            var header = CsvHeader.Check(csv.HeaderRecord, Columns, RequiredColumns);
            var width = csv.HeaderRecord!.Length;
            badCell = null; // a quote in a header name made it unknown: named above
            var lastLine = csv.Parser.RawRow;
            while (csv.Read())
            {
                var line = lastLine + 1;
                lastLine = csv.Parser.RawRow;
                // every cell read now: the parser finds a stray quote (BadDataFound) only as it reads the cell
                var cells = Enumerable.Range(0, csv.Parser.Count).Select(i => csv.Parser[i]).ToList();
                if (cells.All(string.IsNullOrWhiteSpace))
                {
                    badCell = null;
                    continue;
                }

                string? Cell(string column) => header.Has(column) && csv.GetField(column) is { } cell && cell.Trim().Length > 0 ? cell : null;
                IReadOnlyList<string>? List(string column) => Cell(column) is { } cell ? SplitList(cell) : null;
                var shape = new List<string>();
                if (badCell is not null)
                {
                    shape.Add($"a cell has a quote but is not quoted whole ({badCell.Trim()}): quote the cell and double its quotes (\"say \"\"hi\"\"\")");
                    badCell = null;
                }

                if (csv.Parser.Count != width)
                {
                    shape.Add($"has {csv.Parser.Count} cells where the header has {width} (a comma in an unquoted cell? quote it)");
                }

                rows.Add(new ContentFileRow(line, csv.GetField("id") is { Length: > 0 } id ? id : null, Cell("title"), Cell("body"), Cell("deep_link"),
                    List("categories"), List("tags"), Cell("language"), Cell("active_from"), Cell("active_until"), Cell("priority"), shape));
            }
        }
        catch (CsvHeaderException ex)
        {
            fileErrors.Add(ex.Message);
        }
        catch (CsvHelperException ex)
        {
            fileErrors.Add($"not valid CSV near line {csv.Parser.RawRow}: {ex.Message.Split('\n')[0].Trim()}");
        }

        return rows;
    }

    /// <summary>"a; b;;c" → a, b, c: parts trimmed, empty parts dropped.</summary>
    internal static List<string> SplitList(string cell) =>
        [.. cell.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static List<ContentFileRow> JsonRows(string text, List<string> fileErrors)
    {
        var rows = new List<ContentFileRow>();
        var unknown = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var lines = new LineCounter(bytes);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                fileErrors.Add("file refused, nothing imported: a JSON catalogue is an array of objects ([{\"id\": ...}, ...])");
                return rows;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var line = lines.LineAt(reader.TokenStartIndex);
                using var item = JsonDocument.ParseValue(ref reader);
                rows.Add(JsonRow(item.RootElement, line, unknown));
            }
        }
        catch (JsonException ex)
        {
            var why = ex.Message.Split(" LineNumber:", 2)[0].Trim();
            fileErrors.Add($"file refused, nothing imported: not valid JSON at line {(ex.LineNumber ?? 0) + 1}: {why}");
            return rows;
        }

        foreach (var (name, at) in unknown)
        {
            var nearest = JsonFields.MinBy(f => CsvHeader.Distance(name.ToLowerInvariant(), f.ToLowerInvariant()))!;
            var hint = CsvHeader.Distance(name.ToLowerInvariant(), nearest.ToLowerInvariant()) <= Math.Min(2, name.Length / 3) ? $" (did you mean '{nearest}'?)" : "";
            fileErrors.Add($"file refused, nothing imported: unknown field '{name}'{hint} on line{(at.Count > 1 ? "s" : "")} {string.Join(", ", at)}; expected fields: {string.Join(',', JsonFields)}");
        }

        return rows;
    }

    private static ContentFileRow JsonRow(JsonElement item, int line, SortedDictionary<string, List<int>> unknown)
    {
        var errors = new List<string>();
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"is a JSON {item.ValueKind.ToString().ToLowerInvariant()}, not an object");
            return new ContentFileRow(line, null, null, null, null, null, null, null, null, null, null, errors);
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in item.EnumerateObject())
        {
            // names in any case, as CSV headers are
            var known = JsonFields.FirstOrDefault(f => string.Equals(f, p.Name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                (unknown.TryGetValue(p.Name, out var at) ? at : unknown[p.Name] = []).Add(line);
            }
            else if (!fields.TryAdd(known, p.Value))
            {
                errors.Add($"{known} is given twice");
            }
        }

        string? Text(string field)
        {
            if (!fields.TryGetValue(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.String)
            {
                errors.Add($"{field} must be a string, not a {v.ValueKind.ToString().ToLowerInvariant()}");
                return null;
            }

            return v.GetString() is { } s && s.Trim().Length > 0 ? s : null;
        }

        IReadOnlyList<string>? List(string field)
        {
            if (!fields.TryGetValue(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                errors.Add($"{field} must be an array of strings");
                return null;
            }

            return [.. v.EnumerateArray().Select(e => e.GetString()!.Trim()).Where(s => s.Length > 0)];
        }

        string? Number(string field)
        {
            if (!fields.TryGetValue(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Number)
            {
                errors.Add($"{field} must be a number, not a {v.ValueKind.ToString().ToLowerInvariant()}");
                return null;
            }

            return v.GetRawText();
        }

        return new ContentFileRow(line, Text("id"), Text("title"), Text("body"), Text("deepLink"), List("categories"), List("tags"),
            Text("language"), Text("activeFrom"), Text("activeUntil"), Number("priority"), errors);
    }

    /// <summary>1-based line of a byte offset; offsets are asked in increasing order, so each byte is counted once.</summary>
    private sealed class LineCounter(byte[] bytes)
    {
        private int _line = 1;
        private long _at;

        public int LineAt(long offset)
        {
            for (; _at < offset; _at++)
            {
                if (bytes[_at] == (byte)'\n')
                {
                    _line++;
                }
            }

            return _line;
        }
    }
}
