using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Activity;
using Engagement.Storage;

namespace Engagement.Content;

/// <summary>
/// The rules a catalogue row must meet, every reason collected. Dates: an ISO 8601 timestamp with a UTC offset, or a
/// date (yyyy-MM-dd) in the ops zone: <c>active_from</c> a date starts at that day's first instant, <c>active_until</c> a
/// date ends after that day (the item is active through it). Categories are lower-cased (activity events' categories
/// are, so "Fitness" matches them) and must then be [a-z0-9-]; a language matches a configured one in any case and is
/// stored as configured.
/// </summary>
public sealed partial class ContentRowRules(IReadOnlyList<string> languages, TimeZoneInfo zone)
{
    // a transaction of 100 items must stay under the table service's 4 MiB: ~4,000 CJK characters is 12 KB as UTF-8
    public const int MaxTitle = 200;
    public const int MaxBody = 4_000;
    public const int MaxDeepLink = 2_048;
    public const int MaxListItems = 20;
    public const int MaxLabel = 40;

    public IReadOnlyList<string> Languages { get; } = languages;

    /// <summary>The whole file: items when every row is good, else every bad row (duplicate ids name each line).</summary>
    public ContentFileResult Judge(IReadOnlyList<ContentFileRow> rows, ContentFileFormat format)
    {
        var names = format == ContentFileFormat.Json ? ContentCatalogueFile.JsonFields : ContentCatalogueFile.Columns;
        var lines = rows.Where(r => r.Id is not null).GroupBy(r => r.Id!, StringComparer.Ordinal)
            .Where(g => g.Count() > 1).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(r => r.Line)), StringComparer.Ordinal);
        var items = new List<ContentItem>(rows.Count);
        var bad = new List<ContentRowError>();
        foreach (var row in rows)
        {
            var (item, reasons) = Check(row, names);
            if (row.Id is { } id && lines.TryGetValue(id, out var at))
            {
                reasons.Add($"{names[0]} '{id}' is on more than one line ({at})");
            }

            if (reasons.Count > 0)
            {
                bad.Add(new ContentRowError(row.Line, reasons));
            }
            else
            {
                items.Add(item!);
            }
        }

        return bad.Count > 0 ? new ContentFileResult(rows.Count, [], [], bad) : new ContentFileResult(rows.Count, items, [], []);
    }

    /// <summary>One row on its own: the item, or every reason it is refused (<paramref name="names"/>: the file's spelling of the fields).</summary>
    public (ContentItem? Item, List<string> Reasons) Check(ContentFileRow row, IReadOnlyList<string> names)
    {
        string Id = names[0], Title = names[1], Body = names[2], DeepLink = names[3], Categories = names[4], Tags = names[5],
            Language = names[6], From = names[7], Until = names[8], Priority = names[9];
        var reasons = new List<string>(row.ShapeErrors);

        if (row.Id is null)
        {
            reasons.Add($"{Id} is missing");
        }
        else if (!TableKeys.IsValid(row.Id, out var why))
        {
            reasons.Add($"{Id} {why}");
        }
        else if (char.IsWhiteSpace(row.Id[0]) || char.IsWhiteSpace(row.Id[^1]))
        {
            // " a1" would be another item than "a1": refused, not trimmed
            reasons.Add($"{Id} '{row.Id}' has leading or trailing whitespace");
        }

        var title = Required(row.Title, Title, MaxTitle, reasons);
        var body = row.Body?.Trim() ?? "";
        if (body.Length > MaxBody)
        {
            reasons.Add($"{Body} is longer than {MaxBody} characters");
        }

        var link = Required(row.DeepLink, DeepLink, MaxDeepLink, reasons);
        // on Unix "/recipes/1" parses as an absolute file URI: a deep link names its scheme
        if (link is not null && !(Uri.TryCreate(link, UriKind.Absolute, out var uri) && !uri.IsFile))
        {
            reasons.Add($"{DeepLink} '{link}' is not an absolute URI (app://..., https://...)");
        }

        var categories = (row.Categories ?? []).Select(c => c.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (categories.Count == 0)
        {
            reasons.Add($"{Categories} is empty (at least one category)");
        }

        reasons.AddRange(categories.Where(c => !CategoryPattern().IsMatch(c)).Select(c => $"{Categories}: '{c}' is not 1-{MaxLabel} of a-z, 0-9, '-'"));
        var tags = (row.Tags ?? []).Distinct(StringComparer.Ordinal).ToList();
        // a tag with ';' could not be written in CSV, so JSON may not hold one either: both formats state the same items
        reasons.AddRange(tags.Where(t => t.Length > MaxLabel || t.Contains(';', StringComparison.Ordinal)).Select(t => $"{Tags}: '{t}' is longer than {MaxLabel} characters or holds ';'"));
        if (categories.Count > MaxListItems || tags.Count > MaxListItems)
        {
            reasons.Add($"{Categories} and {Tags} hold at most {MaxListItems} entries each");
        }

        string? language = null;
        if (row.Language is null)
        {
            reasons.Add($"{Language} is missing (one of {string.Join(", ", Languages)})");
        }
        else if (Languages.FirstOrDefault(l => string.Equals(l, row.Language.Trim(), StringComparison.OrdinalIgnoreCase)) is { } configured)
        {
            language = configured;
        }
        else
        {
            reasons.Add($"{Language} '{row.Language}' is not one of the configured languages ({string.Join(", ", Languages)}; Content:Languages)");
        }

        var from = row.ActiveFrom is null ? null : Instant(row.ActiveFrom, From, endOfDay: false, reasons);
        if (row.ActiveFrom is null)
        {
            reasons.Add($"{From} is missing");
        }

        var until = row.ActiveUntil is null ? null : Instant(row.ActiveUntil, Until, endOfDay: true, reasons);
        if (from is { } f && until is { } u && u <= f)
        {
            reasons.Add($"{Until} '{row.ActiveUntil!.Trim()}' is not after {From} '{row.ActiveFrom!.Trim()}'");
        }

        var priority = 0;
        if (row.Priority is { } p && !int.TryParse(p.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out priority))
        {
            reasons.Add($"{Priority} '{p.Trim()}' is not an integer");
        }

        if (reasons.Count > 0)
        {
            return (null, reasons);
        }

        return (new ContentItem(row.Id!, title!, body, link!, categories, tags, language!, from!.Value, until, priority), reasons);
    }

    private static string? Required(string? text, string name, int max, List<string> reasons)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            reasons.Add($"{name} is missing");
            return null;
        }

        if (value.Length > max)
        {
            reasons.Add($"{name} is longer than {max} characters");
        }

        return value;
    }

    /// <summary>A timestamp with an offset, or a date in the ops zone (its start; with <paramref name="endOfDay"/> the next day's start).</summary>
    private DateTimeOffset? Instant(string raw, string name, bool endOfDay, List<string> reasons)
    {
        var text = raw.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return LocalInstant.Of(endOfDay ? date.AddDays(1) : date, TimeOnly.MinValue, zone);
        }

        if (!Timestamp().IsMatch(text))
        {
            reasons.Add($"{name} '{text}' is not a date (yyyy-MM-dd) or an ISO 8601 timestamp (yyyy-MM-ddTHH:mm[:ss]+hh:mm)");
            return null;
        }

        // the instant (and so the day) of a time without an offset would be a guess
        if (!OffsetSuffix().IsMatch(text))
        {
            reasons.Add($"{name} '{text}' has no UTC offset (end it with 'Z' or '+hh:mm')");
            return null;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            reasons.Add($"{name} '{text}' is not a valid timestamp");
            return null;
        }

        return instant;
    }

    [GeneratedRegex("^[a-z0-9-]{1,40}$")]
    private static partial Regex CategoryPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex OffsetSuffix();
}
