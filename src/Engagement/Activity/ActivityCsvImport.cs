using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Engagement.Activity;

public sealed record ImportReport(int Rows, int Imported, IReadOnlyList<(int Line, string Error)> Rejected);

/// <summary>
/// Back-fills activity from CSV (<c>event_id,user_id,type,amount,category,occurred_at</c>) through
/// the same validation and the same idempotent ingest as the queue, in slices, so a file of
/// millions of rows runs in bounded memory and a re-run of the same file counts nothing twice.
/// Bad rows are reported with their line numbers and skipped; good rows are imported.
/// </summary>
public sealed class ActivityCsvImport(ActivityEventParser parser, ActivityIngestHandler ingest)
{
    public async Task<ImportReport> ImportAsync(TextReader reader, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = a => a.Header.Trim().ToLowerInvariant(),
            MissingFieldFound = null,
            TrimOptions = TrimOptions.Trim,
        };
        using var csv = new CsvReader(reader, config);
        await csv.ReadAsync();
        csv.ReadHeader();
        var rejected = new List<(int, string)>();
        var slice = new List<ActivityEvent>(50_000);
        int rows = 0, imported = 0;
        while (await csv.ReadAsync())
        {
            rows++;
            var line = csv.Parser.RawRow;
            ActivityEvent? e = null;
            var error = TryRead(csv, out var dto) ?? parser.Validate(dto!, out e);
            if (error is not null)
            {
                rejected.Add((line, error));
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

    private static string? TryRead(CsvReader csv, out ActivityEventDto? dto)
    {
        dto = null;
        decimal? amount = null;
        var amountText = csv.GetField("amount");
        if (!string.IsNullOrEmpty(amountText))
        {
            if (!decimal.TryParse(amountText, NumberStyles.Number, CultureInfo.InvariantCulture, out var a))
            {
                return $"amount '{amountText}' is not a number";
            }

            amount = a;
        }

        dto = new ActivityEventDto
        {
            EventId = csv.GetField("event_id"),
            UserId = csv.GetField("user_id"),
            Type = csv.GetField("type"),
            Amount = amount,
            Category = csv.GetField("category"),
            OccurredAt = csv.GetField("occurred_at"),
        };
        return null;
    }
}
