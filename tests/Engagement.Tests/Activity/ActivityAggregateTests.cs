using Engagement.Activity;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Activity;

public class ActivityAggregateTests
{
    private const int Retention = ActivityAggregate.RetentionDays;
    private static readonly int BaseDay = new DateOnly(2025, 1, 1).DayNumber;
    private static readonly string?[] CategoryPool = [null, "shoes", "books", "games", "music", "travel"];

    /// <summary>One distinct event (its id identifies it: a replay is the same record again).</summary>
    public sealed record EventSpec(string Id, ActivityType Type, int Day, long Amount, string? Category)
    {
        public ActivityEvent ToEvent() =>
            new(Id, "user-1", Type, Type == ActivityType.Purchase ? Amount : 0, Category, DateTimeOffset.UnixEpoch);

        public override string ToString() => $"{Id}:{Type}@{Day - BaseDay}{(Type == ActivityType.Purchase ? $"={Amount}" : "")}{(Category is null ? "" : $"[{Category}]")}";
    }

    /// <summary>Days back from the end of the span on and around the retention and bitset-word boundaries.</summary>
    private static readonly int[] EdgeDaysBack = [0, 0, 0, 1, 2, 62, 63, 64, 65, 127, 128, 335, 336, 398, 399, 400, 401, 402, 463, 464, 798, 799, 800, 801, 802];

    private static Gen<EventSpec> EventGen(int index, int spanDays) =>
        from type in Gen.Elements(ActivityType.Login, ActivityType.Interaction, ActivityType.Purchase)
        from offset in Gen.Frequency((2, Gen.Choose(0, spanDays - 1)), (1, Gen.Elements(EdgeDaysBack.Where(b => b < spanDays).Select(b => spanDays - 1 - b).ToArray())))
        from amount in Gen.Choose(0, 1_000_000)
        from category in Gen.Elements(CategoryPool)
        select new EventSpec($"evt-{index}", type, BaseDay + offset, amount, category);

    /// <summary>Distinct events over <paramref name="spanDays"/> days, some of them replayed, in random order.</summary>
    private static Gen<EventSpec[]> EventListGen(int spanDays) =>
        from count in Gen.Choose(0, 60)
        from pool in Gen.CollectToArray(Enumerable.Range(0, count).Select(i => EventGen(i, spanDays)))
        from replays in Gen.SubListOf(pool)
        from list in Gen.Shuffle(pool.Concat(replays))
        select list;

    private static Arbitrary<(EventSpec[] Events, EventSpec[] Permuted)> EventsAndPermutation(int spanDays) =>
        Arb.From(from events in EventListGen(spanDays)
                 from permuted in Gen.Shuffle(events)
                 select (events, permuted));

    private static ActivityAggregate ApplyAll(IEnumerable<EventSpec> events, ActivityAggregate? into = null)
    {
        var a = into ?? new ActivityAggregate();
        foreach (var e in events)
        {
            a.Apply(e.ToEvent(), e.Day);
        }

        return a;
    }

    /// <summary>Same aggregate state (also used by RepeatedEventIdTests).</summary>
    internal static void AssertSameState(ActivityAggregate expected, ActivityAggregate actual)
    {
        Assert.Equal(expected.LastActiveDay, actual.LastActiveDay);
        Assert.Equal(expected.FirstActiveDay, actual.FirstActiveDay);
        Assert.Equal(expected.DaysBytes(), actual.DaysBytes());
        // same-day purchases may sit in either order in the ledger; the set is what counts
        Assert.Equal(
            expected.Purchases.OrderBy(p => p.Day).ThenBy(p => p.IdHash),
            actual.Purchases.OrderBy(p => p.Day).ThenBy(p => p.IdHash));
        Assert.Equal(expected.Categories, actual.Categories);
    }

    /// <summary>The naive model: a set of active days and a set of purchases, trimmed to the retention span.</summary>
    private sealed class ReferenceModel
    {
        public ReferenceModel(IEnumerable<EventSpec> events)
        {
            var distinct = events.DistinctBy(e => e.Id).ToList();
            if (distinct.Count == 0)
            {
                return;
            }

            Last = distinct.Max(e => e.Day);
            First = distinct.Min(e => e.Day);
            Days = distinct.Select(e => e.Day).Where(d => d > Last - Retention).ToHashSet();
            Purchases = distinct.Where(e => e.Type == ActivityType.Purchase && e.Day > Last - Retention).ToList();
        }

        public int? Last { get; }

        public int? First { get; }

        public HashSet<int> Days { get; } = [];

        public List<EventSpec> Purchases { get; } = [];

        public int ActiveDaysIn(int asOf, int window) => Days.Count(d => d <= asOf && d > asOf - window);

        public long SpendIn(int asOf, int window) => Purchases.Where(p => p.Day <= asOf && p.Day > asOf - window).Sum(p => p.Amount);
    }

    [Property]
    public Property Apply_AnyPermutationWithin400Days_GivesSameAggregate() =>
        Prop.ForAll(EventsAndPermutation(400), t => AssertSameState(ApplyAll(t.Events), ApplyAll(t.Permuted)));

    [Property]
    public Property Apply_AnyPermutationOver1000Days_GivesSameAggregate() =>
        Prop.ForAll(EventsAndPermutation(1000), t => AssertSameState(ApplyAll(t.Events), ApplyAll(t.Permuted)));

    [Property]
    public Property Apply_SameListTwice_ChangesNothingTheSecondTime() =>
        Prop.ForAll(EventsAndPermutation(1000), t =>
        {
            var once = ApplyAll(t.Events);
            var twice = ApplyAll(t.Events);
            // a remembered id answers Repeat; one too old to be remembered is Unchanged; none applies again
            var changedOnReplay = t.Permuted.Where(e => twice.Apply(e.ToEvent(), e.Day) is ApplyOutcome.Applied or ApplyOutcome.Conflict).ToList();

            Assert.Empty(changedOnReplay);
            AssertSameState(once, twice);
        });

    [Property]
    public Property ActiveDaysInAndSpendIn_AnyEvents_MatchReferenceModel() =>
        Prop.ForAll(EventsAndPermutation(1000), t =>
        {
            var a = ApplyAll(t.Events);
            var model = new ReferenceModel(t.Events);

            Assert.Equal(model.Last, a.LastActiveDay);
            Assert.Equal(model.First, a.FirstActiveDay);
            Assert.Equal(model.Last.HasValue, a.HasHistory);
            Assert.Equal(
                model.Purchases.Select(p => (p.Day, ActivityAggregate.HashId(p.Id), p.Amount)).Order(),
                a.Purchases.Select(p => (p.Day, p.IdHash, p.AmountMinor)).Order());
            Assert.Equal(t.Events.Select(e => e.Category).OfType<string>().Distinct().Order(StringComparer.Ordinal), a.Categories);

            var last = model.Last ?? BaseDay;
            for (var asOf = last - Retention - 30; asOf <= last + 30; asOf += 3)
            {
                Assert.Equal(model.Days.Contains(asOf), a.IsActiveOn(asOf));
                foreach (var window in new[] { 1, 2, 7, 30, 63, 64, 65, 90, 128, 365, Retention })
                {
                    Assert.True(model.ActiveDaysIn(asOf, window) == a.ActiveDaysIn(asOf, window), $"ActiveDaysIn({asOf - BaseDay}, {window})");
                    Assert.True(model.SpendIn(asOf, window) == a.SpendIn(asOf, window), $"SpendIn({asOf - BaseDay}, {window})");
                }
            }
        });

    [Property]
    public Property Restore_FromPersistedParts_RoundTrips() =>
        Prop.ForAll(EventsAndPermutation(1000), t =>
        {
            var a = ApplyAll(t.Events);
            var restored = ActivityAggregate.Restore(a.LastActiveDay, a.FirstActiveDay, a.DaysBytes(), a.PurchaseBytesArray(), a.CategoriesText(), a.SeenBytes());

            AssertSameState(a, restored);
            Assert.Equal(a.PurchaseBytesArray(), restored.PurchaseBytesArray());
            Assert.Equal(a.CategoriesText(), restored.CategoriesText());
            Assert.Equal(a.SeenBytes(), restored.SeenBytes());
        });

    [Property]
    public Property Restore_ThenApplyTheRest_EqualsApplyingEverything() =>
        Prop.ForAll(Arb.From(from events in EventListGen(1000) from split in Gen.Choose(0, events.Length) select (events, split)), t =>
        {
            var prefix = ApplyAll(t.events.Take(t.split));
            var restored = ActivityAggregate.Restore(prefix.LastActiveDay, prefix.FirstActiveDay, prefix.DaysBytes(), prefix.PurchaseBytesArray(), prefix.CategoriesText(), prefix.SeenBytes());

            AssertSameState(ApplyAll(t.events), ApplyAll(t.events.Skip(t.split), restored));
        });

    [Fact]
    public void Restore_NoHistory_IsEmpty()
    {
        var empty = new ActivityAggregate();

        var restored = ActivityAggregate.Restore(empty.LastActiveDay, empty.FirstActiveDay, empty.DaysBytes(), empty.PurchaseBytesArray(), empty.CategoriesText());

        Assert.False(restored.HasHistory);
        Assert.Null(restored.FirstActiveDay);
        Assert.Empty(restored.Purchases);
        Assert.Empty(restored.Categories);
        Assert.Equal(0, restored.ActiveDaysIn(BaseDay, Retention));
    }

    [Fact]
    public void Apply_PurchaseWithSameEventIdTwice_CountsOnce()
    {
        var a = new ActivityAggregate();
        var purchase = new ActivityEvent("order-42", "user-1", ActivityType.Purchase, 1_999, null, DateTimeOffset.UnixEpoch);

        Assert.Equal(ApplyOutcome.Applied, a.Apply(purchase, BaseDay));
        Assert.Equal(ApplyOutcome.Repeat, a.Apply(purchase, BaseDay));
        // the same id on another day is another body: a conflict, not applied (the day stays inactive)
        Assert.Equal(ApplyOutcome.Conflict, a.Apply(purchase with { OccurredAt = DateTimeOffset.UnixEpoch.AddDays(1) }, BaseDay + 1));

        Assert.Single(a.Purchases);
        Assert.Equal(1_999, a.SpendIn(BaseDay + 1, 30));
        Assert.Equal(1, a.ActiveDaysIn(BaseDay + 1, 30));
    }

    [Fact]
    public void Apply_PurchasesWithDifferentEventIds_AllCount()
    {
        var a = new ActivityAggregate();

        a.Apply(new ActivityEvent("order-1", "user-1", ActivityType.Purchase, 1_000, null, DateTimeOffset.UnixEpoch), BaseDay);
        a.Apply(new ActivityEvent("order-2", "user-1", ActivityType.Purchase, 1_000, null, DateTimeOffset.UnixEpoch), BaseDay);

        Assert.Equal(2, a.Purchases.Count);
        Assert.Equal(2_000, a.SpendIn(BaseDay, 1));
        Assert.Equal(1, a.ActiveDaysIn(BaseDay, 1));
    }

    [Fact]
    public void Apply_EventRetentionDaysBeforeLastActiveDay_IsIgnoredInWindowsAndLedger()
    {
        var a = new ActivityAggregate();
        var last = BaseDay + 1_000;
        a.Apply(new ActivityEvent("login-1", "user-1", ActivityType.Login, 0, null, DateTimeOffset.UnixEpoch), last);

        var tooOld = last - Retention;
        a.Apply(new ActivityEvent("order-old", "user-1", ActivityType.Purchase, 5_000, null, DateTimeOffset.UnixEpoch), tooOld);

        Assert.Empty(a.Purchases);
        Assert.False(a.IsActiveOn(tooOld));
        Assert.Equal(0, a.SpendIn(last, Retention));
        Assert.Equal(0, a.SpendIn(tooOld, 1));
        Assert.Equal(1, a.ActiveDaysIn(last, Retention));
        Assert.Equal(0, a.ActiveDaysIn(tooOld, 1));
        Assert.Equal(last, a.LastActiveDay);
    }

    [Fact]
    public void Apply_EventJustInsideRetention_IsKept()
    {
        var a = new ActivityAggregate();
        var last = BaseDay + 1_000;
        a.Apply(new ActivityEvent("login-1", "user-1", ActivityType.Login, 0, null, DateTimeOffset.UnixEpoch), last);

        var oldest = last - Retention + 1;
        a.Apply(new ActivityEvent("order-old", "user-1", ActivityType.Purchase, 5_000, null, DateTimeOffset.UnixEpoch), oldest);

        Assert.Single(a.Purchases);
        Assert.True(a.IsActiveOn(oldest));
        Assert.Equal(2, a.ActiveDaysIn(last, Retention));
        Assert.Equal(5_000, a.SpendIn(last, Retention));
    }

    [Fact]
    public void Apply_NewerDayMovesRetentionPastOldPurchase_DropsIt()
    {
        var a = new ActivityAggregate();
        a.Apply(new ActivityEvent("order-1", "user-1", ActivityType.Purchase, 700, null, DateTimeOffset.UnixEpoch), BaseDay);

        a.Apply(new ActivityEvent("login-1", "user-1", ActivityType.Login, 0, null, DateTimeOffset.UnixEpoch), BaseDay + Retention);

        Assert.Empty(a.Purchases);
        Assert.False(a.IsActiveOn(BaseDay));
        Assert.Equal(1, a.ActiveDaysIn(BaseDay + Retention, Retention));
        Assert.Equal(BaseDay, a.FirstActiveDay);
    }

    [Fact]
    public void Apply_MoreThanMaxCategories_KeepsAtMostMax()
    {
        var a = new ActivityAggregate();

        for (var i = 0; i < ActivityAggregate.MaxCategories + 5; i++)
        {
            a.Apply(new ActivityEvent($"i-{i}", "user-1", ActivityType.Interaction, 0, $"cat-{i:D2}", DateTimeOffset.UnixEpoch), BaseDay);
        }

        Assert.Equal(ActivityAggregate.MaxCategories, a.Categories.Count);
        Assert.DoesNotContain("cat-36", a.Categories);
    }
}
