namespace Engagement.Content;

/// <summary>
/// How often each item was taken up (the weekly run counts it, e.g. unique users who opened it): overall, and among the
/// users whose strongest interest is a category ("similar users"). Item ids not in the catalogue are ignored.
/// </summary>
public sealed record ContentPopularity(
    IReadOnlyDictionary<string, long> Overall,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> ByTopCategory)
{
    public static readonly ContentPopularity None = new(new Dictionary<string, long>(), new Dictionary<string, IReadOnlyDictionary<string, long>>());
}

/// <summary>
/// The catalogue as the picker reads it, built once per run: the active items in one canonical order (priority
/// descending, then id ordinal, so an item's position is its tie-break and the input order never matters), the items of
/// each category, and the popularity rankings. Built from the items active at the run's time; the picker trusts that.
/// </summary>
public sealed class ContentPickIndex
{
    private readonly Dictionary<string, int> _byId;
    private readonly Dictionary<string, int[]> _byCategory;
    private readonly Dictionary<string, int[]> _popularByTopCategory;
    private readonly long[] _overall;

    private ContentPickIndex(ContentItem[] items, DateTimeOffset builtAt, ContentPopularity popularity)
    {
        Items = items;
        BuiltAt = builtAt;
        _byId = new Dictionary<string, int>(items.Length, StringComparer.Ordinal);
        var byCategory = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < items.Length; i++)
        {
            _byId.Add(items[i].Id, i);
            foreach (var category in items[i].Categories.Select(c => c.ToLowerInvariant()).Distinct(StringComparer.Ordinal))
            {
                if (!byCategory.TryGetValue(category, out var list))
                {
                    byCategory[category] = list = [];
                }

                list.Add(i); // ascending: in canonical order
            }
        }

        _byCategory = byCategory.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _overall = Counts(popularity.Overall);
        PopularOverall = Rank(_overall, keepUnpopular: true);
        _popularByTopCategory = popularity.ByTopCategory.ToDictionary(p => p.Key, p => Rank(Counts(p.Value), keepUnpopular: false), StringComparer.Ordinal);
    }

    /// <summary>The active items, canonical order (priority descending, id ordinal).</summary>
    public IReadOnlyList<ContentItem> Items { get; }

    public DateTimeOffset BuiltAt { get; }

    /// <summary>Every item, most popular first, then canonical order (an item nobody took up still ranks, by priority and id).</summary>
    internal int[] PopularOverall { get; }

    /// <summary>
    /// The index of the items of <paramref name="items"/> active at <paramref name="at"/> (the others dropped: an item
    /// past its window is never picked). Duplicate ids: the first of the canonical order is kept.
    /// </summary>
    public static ContentPickIndex Build(IEnumerable<ContentItem> items, DateTimeOffset at, ContentPopularity? popularity = null)
    {
        var active = items.Where(i => i.IsActiveAt(at))
            .OrderByDescending(i => i.Priority).ThenBy(i => i.Id, StringComparer.Ordinal)
            .DistinctBy(i => i.Id, StringComparer.Ordinal)
            .ToArray();
        return new ContentPickIndex(active, at, popularity ?? ContentPopularity.None);
    }

    internal bool TryIndexOf(string itemId, out int index) => _byId.TryGetValue(itemId, out index);

    /// <summary>The items of <paramref name="category"/> in canonical order; empty when none.</summary>
    internal int[] ItemsOf(string category) => _byCategory.TryGetValue(category, out var items) ? items : [];

    /// <summary>The items taken up by users whose strongest interest is <paramref name="category"/>, most first; empty when none.</summary>
    internal int[] PopularAmong(string category) => _popularByTopCategory.TryGetValue(category, out var items) ? items : [];

    internal long OverallCount(int item) => _overall[item];

    private long[] Counts(IReadOnlyDictionary<string, long> counts)
    {
        var count = new long[_byId.Count];
        foreach (var (id, n) in counts)
        {
            if (_byId.TryGetValue(id, out var i))
            {
                count[i] = n;
            }
        }

        return count;
    }

    private static int[] Rank(long[] count, bool keepUnpopular) =>
        [.. Enumerable.Range(0, count.Length).Where(i => keepUnpopular || count[i] > 0).OrderByDescending(i => count[i]).ThenBy(i => i)];
}
