using Engagement.Activity;
using Microsoft.Extensions.Options;

namespace Engagement.Content;

/// <summary>What an import did: the file's verdict and, when it was valid and written, the new and updated counts.</summary>
public sealed record ContentImportReport(ContentFileResult File, ContentUpsert? Written);

/// <summary>
/// <c>engage content import</c>: the file is judged whole (<see cref="ContentCatalogueFile"/>) before anything is written;
/// a file with any bad row writes nothing. A valid file is upserted: re-importing updates items in place. A write cut
/// short (an outage between transactions) is finished by importing the same file again.
/// </summary>
public sealed class ContentCatalogueImport(ContentStore store, IOptions<ContentOptions> options, ActivityCalendar calendar)
{
    public ContentRowRules Rules => new(options.Value.Languages, calendar.Zone);

    public async Task<ContentImportReport> ImportAsync(string text, ContentFileFormat format, CancellationToken ct)
    {
        var file = ContentCatalogueFile.Read(text, format, Rules);
        return file.IsValid ? new ContentImportReport(file, await store.UpsertAsync(file.Items, ct)) : new ContentImportReport(file, null);
    }
}
