using Azure.Data.Tables;

namespace Engagement.Content;

/// <summary>
/// The <c>content</c> table's keys and columns (only <see cref="ContentStore"/> uses them): one partition, RowKey the item
/// id. Lists are joined with ';', which neither a category nor a tag may hold (<see cref="ContentRowRules"/>).
/// </summary>
internal static class ContentRows
{
    public const string Partition = "items";

    private const string Title = "Title";
    private const string Body = "Body";
    private const string DeepLink = "DeepLink";
    private const string Categories = "Categories";
    private const string Tags = "Tags";
    private const string Language = "Language";
    private const string ActiveFrom = "ActiveFrom";
    private const string ActiveUntil = "ActiveUntil";
    private const string Priority = "Priority";

    /// <summary>The whole row: written with upsert-replace, so a column the item no longer has (an open end) goes too.</summary>
    public static TableEntity ToEntity(ContentItem item)
    {
        var e = new TableEntity(Partition, item.Id)
        {
            [Title] = item.Title,
            [Body] = item.Body,
            [DeepLink] = item.DeepLink,
            [Categories] = string.Join(';', item.Categories),
            [Tags] = string.Join(';', item.Tags),
            [Language] = item.Language,
            [ActiveFrom] = item.ActiveFrom.ToUniversalTime(),
            [Priority] = item.Priority,
        };
        if (item.ActiveUntil is { } until)
        {
            e[ActiveUntil] = until.ToUniversalTime();
        }

        return e;
    }

    public static ContentItem FromEntity(TableEntity e) => new(
        e.RowKey,
        e.GetString(Title) ?? "",
        e.GetString(Body) ?? "",
        e.GetString(DeepLink) ?? "",
        Split(e.GetString(Categories)),
        Split(e.GetString(Tags)),
        e.GetString(Language) ?? "",
        e.GetDateTimeOffset(ActiveFrom) ?? DateTimeOffset.MaxValue, // a row without a start is never active
        e.GetDateTimeOffset(ActiveUntil),
        e.GetInt32(Priority) ?? 0);

    private static string[] Split(string? joined) => string.IsNullOrEmpty(joined) ? [] : joined.Split(';');
}
