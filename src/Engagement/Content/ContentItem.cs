namespace Engagement.Content;

/// <summary>
/// One catalogue item (issue 13): what the weekly content pick chooses from. <see cref="Categories"/> are lower-case and
/// match the <c>category</c> of activity events (a user's interests come from them); <see cref="Tags"/> are free labels;
/// the item is active from <see cref="ActiveFrom"/> (inclusive) until <see cref="ActiveUntil"/> (exclusive, null: open);
/// a higher <see cref="Priority"/> wins a tie in match.
/// </summary>
public sealed record ContentItem(
    string Id,
    string Title,
    string Body,
    string DeepLink,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Tags,
    string Language,
    DateTimeOffset ActiveFrom,
    DateTimeOffset? ActiveUntil,
    int Priority)
{
    public bool IsActiveAt(DateTimeOffset at) => ActiveFrom <= at && (ActiveUntil is null || at < ActiveUntil);
}
