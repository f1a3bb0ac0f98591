using Engagement.Activity;
using Engagement.Content;
using FsCheck;
using FsCheck.Fluent;

namespace Engagement.Tests.Content;

/// <summary>Random pick cases for the property tests: a small catalogue (some items inactive), a user's events, their sends, popularity.</summary>
internal static class ContentPickerCases
{
    public static readonly DateTimeOffset Now = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);
    public static readonly ContentPickOptions Options = new();

    private static readonly string[] Pool = ["fitness", "recipes", "toys", "travel", "games", "music"];

    public sealed record Case(ContentItem[] Items, InterestProfile Profile, ContentSend[] Sent, ContentPopularity Popularity)
    {
        public override string ToString() =>
            $"items [{string.Join(" ", Items.Select(i => $"{i.Id}({string.Join('+', i.Categories)};p{i.Priority}{(i.IsActiveAt(Now) ? "" : ";inactive")})"))}] " +
            $"profile '{Profile.Format()}' sent [{string.Join(" ", Sent.Select(s => $"{s.ItemId}@{(Now - s.SentAt).TotalDays:F0}d"))}]";
    }

    public static ContentItem Item(string id, int priority, IReadOnlyList<string> categories, DateTimeOffset? from = null, DateTimeOffset? until = null) =>
        new(id, "title " + id, "body", "app://content/" + id, categories, [], "en", from ?? Now.AddDays(-30), until, priority);

    private static Gen<ContentItem> AnyItem(int index) =>
        from categories in Gen.SubListOf(Pool).Where(c => c.Count is > 0 and <= 3)
        from upper in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        from priority in Gen.Choose(0, 2)
        from window in Gen.Frequency((8, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
        select Item(
            $"item-{index:00}",
            priority,
            upper ? [.. categories, categories[0].ToUpperInvariant()] : [.. categories],
            window == 1 ? Now.AddDays(1) : Now.AddDays(-60),
            window == 2 ? Now.AddDays(-1) : null);

    private static Gen<InterestProfile> AnyProfile =>
        from events in (
            from type in Gen.Elements(ActivityType.Login, ActivityType.Interaction, ActivityType.Purchase)
            from category in Gen.Elements(Pool)
            from hoursAgo in Gen.Choose(0, 200 * 24)
            select (type, category, hoursAgo)).ArrayOf()
        from length in Gen.Choose(0, 12)
        select events.Take(length).Aggregate(InterestProfile.Empty, (p, e) => p.Add(e.Item1, e.Item2, Now.AddHours(-e.Item3), Options));

    private static Gen<ContentSend[]> AnySends(int items) =>
        Gen.Zip(Gen.Choose(0, items + 2), Gen.Choose(-2 * 24, 30 * 7 * 24))
            .Select(s => new ContentSend($"item-{s.Item1:00}", Now.AddHours(-s.Item2)))
            .ArrayOf();

    private static Gen<Dictionary<string, long>> AnyCounts(int items) =>
        Gen.Zip(Gen.Choose(0, items + 1), Gen.Choose(0, 4)).ArrayOf()
            .Select(c => c.GroupBy(x => $"item-{x.Item1:00}").ToDictionary(g => g.Key, g => (long)g.Sum(x => x.Item2)));

    public static Gen<Case> AnyCase =>
        from n in Gen.Choose(1, 24)
        from items in Gen.CollectToArray(Enumerable.Range(0, n).Select(AnyItem))
        from profile in AnyProfile
        from sent in Gen.Frequency((3, AnySends(n)), (1, Gen.Constant(items.Select(i => new ContentSend(i.Id, Now.AddDays(-1))).ToArray())))
        from overall in AnyCounts(n)
        from byTop in Gen.Zip(Gen.Elements(Pool), AnyCounts(n)).ArrayOf()
        select new Case(items, profile, sent, new ContentPopularity(
            overall,
            byTop.DistinctBy(b => b.Item1).ToDictionary(b => b.Item1, b => (IReadOnlyDictionary<string, long>)b.Item2)));

    public static ContentPick Pick(Case c, IEnumerable<ContentItem>? items = null) =>
        new ContentPicker(ContentPickIndex.Build(items ?? c.Items, Now, c.Popularity), Options).Pick(c.Profile, c.Sent, Now);

    /// <summary>The ids sent within the repeat window (not pickable).</summary>
    public static HashSet<string> Blocked(Case c) =>
        [.. c.Sent.Where(s => Now - s.SentAt < Options.RepeatWindow).Select(s => s.ItemId)];
}
