using System.Globalization;
using CsvHelper;
using Engagement.Imports;

using Engagement.Activity;

namespace Engagement.Ingest;

/// <summary>
/// Back-fills activity from CSV (<c>event_id,user_id,type,amount,category,occurred_at</c>) through
/// the same validation and the same idempotent ingest as the queue, in slices, so a file of
/// millions of rows runs in bounded memory and a re-run of the same file counts nothing twice.
/// An unknown or missing required column refuses the whole file (<see cref="CsvHeaderException"/>); bad rows are
/// reported with their line numbers and their errors and skipped; good rows are imported.
/// </summary>
public sealed class ActivityCsvImport(ActivityEventParser parser, ActivityIngestHandler ingest)
{
    public static readonly IReadOnlyList<string> Columns = ["event_id", "user_id", "type", "amount", "category", "occurred_at"];

    private static readonly string[] Required = ["event_id", "user_id", "type", "occurred_at"];

    /// <summary>Only the header check: the CLI refuses a misspelt file before it starts storage.</summary>
    /// <exception cref="CsvHeaderException">An unknown, repeated or missing required column.</exception>
    public static async Task CheckHeaderAsync(TextReader reader) => (await CsvHeader.OpenAsync(reader, Columns, Required)).Csv.Dispose();

    public async Task<ImportReport> ImportAsync(TextReader reader, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var (csv, header) = await CsvHeader.OpenAsync(reader, Columns, Required);
        using var _ = csv;
        var rejected = new List<(int, string)>();
        var slice = new List<ActivityEvent>(50_000);
        int rows = 0, imported = 0;
        while (await csv.ReadAsync())
        {
            rows++;
            var line = csv.Parser.RawRow;
            var (dto, errors) = Read(csv, header);
            // the event's own rules too, so a row shows all its errors at once
            errors.AddRange(parser.Validate(dto, out var e));

            if (errors.Count > 0)
            {
                rejected.Add((line, string.Join("; ", errors)));
                continue;
            }

            slice.Add(e!);
            if (slice.Count == slice.Capacity)
            {
                await ingest.IngestAsync(slice, cancellationToken);
                imported += slice.Count;
                progress?.Report(imported);
                slice.Clear();
            }
        }

        if (slice.Count > 0)
        {
            await ingest.IngestAsync(slice, cancellationToken);
            imported += slice.Count;
            progress?.Report(imported);
        }

        return new ImportReport(rows, imported, rejected);
    }

    private static (ActivityEventDto Dto, List<string> Errors) Read(CsvReader csv, CsvHeader header)
    {
        var errors = new List<string>();
        decimal? amount = null;
        if (header.Has("amount") && csv.GetField("amount")?.Trim() is { Length: > 0 } amountText)
        {
            if (decimal.TryParse(amountText, NumberStyles.Number, CultureInfo.InvariantCulture, out var a))
            {
                amount = a;
            }
            else
            {
                errors.Add($"amount '{amountText}' is not a number");
                amount = 0; // stands in while the rest is validated, so no second, misleading "needs an amount"
            }
        }

        var dto = new ActivityEventDto
        {
            // ids as written: " u1 " is refused like on the queue, not quietly made "u1"
            EventId = csv.GetField("event_id"),
            UserId = csv.GetField("user_id"),
            Type = csv.GetField("type")?.Trim(),
            Amount = amount,
            Category = header.Has("category") ? csv.GetField("category") : null,
            OccurredAt = csv.GetField("occurred_at")?.Trim(),
        };
        return (dto, errors);
    }
}
