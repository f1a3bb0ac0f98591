using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Users;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Activity;

/// <summary>An eventId counts at most once per user, whatever the bodies of its repeats; the first applied wins.</summary>
public class RepeatedEventIdTests
{
    private static readonly int BaseDay = new DateOnly(2025, 1, 1).DayNumber;
    private static readonly string?[] CategoryPool = [null, "shoes", "books", "games"];

    /// <summary>One version of an event: a repeat shares the id, and may differ in anything else.</summary>
    public sealed record Version(string Id, ActivityType Type, int Day, int Minute, long Amount, string? Category)
    {
        public ActivityEvent ToEvent() =>
            new(Id, "user-1", Type, Type == ActivityType.Purchase ? Amount : 0, Category,
                new DateTimeOffset(DateOnly.FromDayNumber(Day).ToDateTime(new TimeOnly(0, 0)), TimeSpan.Zero).AddMinutes(Minute));

        public override string ToString() => $"{Id}:{Type}@{Day - BaseDay}+{Minute}m{(Type == ActivityType.Purchase ? $"={Amount}" : "")}{(Category is null ? "" : $"[{Category}]")}";
    }

    private static Gen<Version> VersionGen(string id, int spanDays) =>
        from type in Gen.Elements(ActivityType.Login, ActivityType.Interaction, ActivityType.Purchase)
        from day in Gen.Choose(0, spanDays - 1)
        from minute in Gen.Choose(0, 1439)
        from amount in Gen.Choose(0, 100_000)
        from category in Gen.Elements(CategoryPool)
        select new Version(id, type, BaseDay + day, minute, amount, category);

    /// <summary>A repeat: the same body (a re-delivery) or the same id with one or more fields changed.</summary>
    private static Gen<Version> RepeatGen(Version v, int spanDays) =>
        Gen.Frequency(
            (3, Gen.Constant(v)),
            (1, Gen.Choose(0, spanDays - 1).Select(d => v with { Day = BaseDay + d })),
            (1, Gen.Choose(0, 100_000).Select(a => v with { Amount = a })),
            (1, Gen.Elements(CategoryPool).Select(c => v with { Category = c })),
            (1, Gen.Elements(ActivityType.Login, ActivityType.Interaction, ActivityType.Purchase).Select(t => v with { Type = t })),
            (1, VersionGen(v.Id, spanDays)));

    /// <summary>A stream of events over <paramref name="spanDays"/> days with repeats, in any order, cut into batches.</summary>
    private static Arbitrary<(Version[] Stream, int[] Cuts)> StreamGen(int spanDays) =>
        Arb.From(
            from count in Gen.Choose(0, 40)
            from originals in Gen.CollectToArray(Enumerable.Range(0, count).Select(i => VersionGen($"evt-{i}", spanDays)))
            from repeats in Gen.CollectToArray(originals.Select(v => Gen.Choose(0, 3).SelectMany(n => Gen.CollectToArray(Enumerable.Repeat(RepeatGen(v, spanDays), n)))))
            from stream in Gen.Shuffle(originals.Concat(repeats.SelectMany(r => r)))
            from cuts in Gen.Choose(0, Math.Max(0, stream.Length)).ArrayOf()
            select (stream, cuts.Distinct().Order().ToArray()));

    /// <summary>Applies the stream batch by batch, storing and re-reading the user between batches as ingest does.</summary>
    private static ActivityAggregate ApplyInBatches(Version[] stream, int[] cuts)
    {
        var entity = new TableEntity("s00", "user-1");
        var from = 0;
        foreach (var to in cuts.Append(stream.Length))
        {
            var a = UserEntity.ReadActivity(entity);
            foreach (var v in stream[from..to])
            {
                a.Apply(v.ToEvent(), v.Day);
            }

            UserEntity.WriteActivity(entity, a);
            from = to;
        }

        return UserEntity.ReadActivity(entity);
    }

    private static ActivityAggregate ApplyOnce(IEnumerable<Version> events)
    {
        var a = new ActivityAggregate();
        foreach (var v in events)
        {
            a.Apply(v.ToEvent(), v.Day);
        }

        return a;
    }

    [Property]
    public Property Apply_StreamWithRepeats_AnyOrderAnyBatching_EqualsTheFirstVersionOfEachId() =>
        Prop.ForAll(StreamGen(ActivityAggregate.RetentionDays), t =>
            ActivityAggregateTests.AssertSameState(ApplyOnce(t.Stream.DistinctBy(v => v.Id)), ApplyInBatches(t.Stream, t.Cuts)));

    [Property]
    public Property Apply_IdenticalRepeatsOnly_AnyOrderAnyBatching_EqualsTheDeduplicatedStream() =>
        Prop.ForAll(StreamGen(1000), t =>
        {
            // drop changed repeats: what is left is re-deliveries, which change nothing over any span
            var firsts = t.Stream.DistinctBy(v => v.Id).ToDictionary(v => v.Id);
            var identical = t.Stream.Where(v => v == firsts[v.Id]).ToArray();

            ActivityAggregateTests.AssertSameState(ApplyOnce(firsts.Values), ApplyInBatches(identical, t.Cuts.Where(c => c <= identical.Length).ToArray()));
        });

    [Property]
    public Property Apply_StreamWithRepeats_FirstIsAppliedSameBodyIsARepeatOtherBodyIsAConflict() =>
        Prop.ForAll(StreamGen(ActivityAggregate.RetentionDays), t =>
        {
            var entity = new TableEntity("s00", "user-1");
            var first = new Dictionary<string, Version>();
            var from = 0;
            foreach (var to in t.Cuts.Append(t.Stream.Length))
            {
                var a = UserEntity.ReadActivity(entity);
                foreach (var v in t.Stream[from..to])
                {
                    var expected = !first.TryGetValue(v.Id, out var f) ? ApplyOutcome.Applied
                        : f.ToEvent() == v.ToEvent() ? ApplyOutcome.Repeat
                        : ApplyOutcome.Conflict;
                    first.TryAdd(v.Id, v);
                    Assert.Equal(expected, a.Apply(v.ToEvent(), v.Day));
                }

                UserEntity.WriteActivity(entity, a);
                from = to;
            }
        });

    [Fact]
    public void Apply_OneIdOnThreeDays_CountsTheFirstOnly()
    {
        var a = new ActivityAggregate();

        a.Apply(new Version("e1", ActivityType.Purchase, BaseDay, 60, 2_000, null).ToEvent(), BaseDay);
        a.Apply(new Version("e1", ActivityType.Purchase, BaseDay + 1, 60, 3_500, null).ToEvent(), BaseDay + 1);
        a.Apply(new Version("e1", ActivityType.Login, BaseDay + 2, 60, 0, null).ToEvent(), BaseDay + 2);

        Assert.Equal(1, a.ActiveDaysIn(BaseDay + 2, 90));
        Assert.Equal(BaseDay, a.LastActiveDay);
        Assert.Equal(2_000, Assert.Single(a.Purchases).AmountMinor);
    }

    [Fact]
    public void Apply_RepeatWithAnotherCategory_AddsNoCategory()
    {
        var a = new ActivityAggregate();
        var first = new Version("e1", ActivityType.Interaction, BaseDay, 60, 0, "books");

        a.Apply(first.ToEvent(), BaseDay);
        a.Apply((first with { Category = "games" }).ToEvent(), BaseDay);

        Assert.Equal(["books"], a.Categories);
    }

    [Fact]
    public void Apply_RepeatAfterStoringAndReading_IsStillRecognised()
    {
        var entity = new TableEntity("s00", "user-1");
        var a = new ActivityAggregate();
        a.Apply(new Version("e1", ActivityType.Login, BaseDay, 60, 0, null).ToEvent(), BaseDay);
        UserEntity.WriteActivity(entity, a);

        var read = UserEntity.ReadActivity(entity);
        read.Apply(new Version("e1", ActivityType.Login, BaseDay + 5, 60, 0, null).ToEvent(), BaseDay + 5);

        Assert.Equal(BaseDay, read.LastActiveDay);
        Assert.Equal(1, read.ActiveDaysIn(BaseDay + 5, 30));
    }

    [Fact]
    public void Apply_SameInstantWithAnotherOffset_IsARepeat()
    {
        var a = new ActivityAggregate();
        var utc = new ActivityEvent("e1", "user-1", ActivityType.Purchase, 1_230, "shoes", new DateTimeOffset(2025, 1, 1, 2, 0, 0, TimeSpan.Zero));

        a.Apply(utc, BaseDay);

        Assert.Equal(ApplyOutcome.Repeat, a.Apply(utc with { OccurredAt = utc.OccurredAt.ToOffset(TimeSpan.FromHours(8)) }, BaseDay));
        Assert.Equal(ApplyOutcome.Conflict, a.Apply(utc with { OccurredAt = utc.OccurredAt.AddSeconds(1) }, BaseDay));
        Assert.Equal(ApplyOutcome.Conflict, a.Apply(utc with { Category = null }, BaseDay));
    }

    [Fact]
    public void Apply_RepeatOfAnIdForgottenPastTheRetentionSpan_CountsAsNew()
    {
        // documented: ids are kept for the retention span before the last active day, like everything else
        var a = new ActivityAggregate();
        var old = new Version("e1", ActivityType.Login, BaseDay, 60, 0, null);
        a.Apply(old.ToEvent(), old.Day);
        a.Apply(new Version("e2", ActivityType.Login, BaseDay + ActivityAggregate.RetentionDays, 60, 0, null).ToEvent(), BaseDay + ActivityAggregate.RetentionDays);

        Assert.Equal(1, a.SeenCount);
        Assert.Equal(ApplyOutcome.Unchanged, a.Apply(old.ToEvent(), old.Day)); // re-delivered as it was: outside every window
        Assert.Equal(ApplyOutcome.Applied, a.Apply((old with { Day = BaseDay + 300 }).ToEvent(), BaseDay + 300));
        Assert.True(a.IsActiveOn(BaseDay + 300));
    }

    [Fact]
    public void Apply_MoreIdsThanTheCap_ForgetsTheOldestDaysFirst_AndFitsOneProperty()
    {
        var a = new ActivityAggregate();
        var total = SeenEvents.MaxEntries + 100;
        for (var i = 0; i < total; i++)
        {
            var day = BaseDay + (i * 300 / total); // oldest first, about 16 a day
            a.Apply(new Version($"e{i}", ActivityType.Login, day, i % 1440, 0, null).ToEvent(), day);
        }

        Assert.InRange(a.SeenCount, SeenEvents.MaxEntries * 7 / 8, SeenEvents.MaxEntries);
        Assert.True(a.SeenBytes().Length <= 64 * 1024);
        var newest = total - 1;
        var newestDay = BaseDay + (newest * 300 / total);
        Assert.Equal(ApplyOutcome.Conflict, a.Apply(new Version($"e{newest}", ActivityType.Login, newestDay - 1, 0, 0, null).ToEvent(), newestDay - 1));
        Assert.Equal(ApplyOutcome.Applied, a.Apply(new Version("e0", ActivityType.Login, BaseDay + 5, 0, 0, null).ToEvent(), BaseDay + 5)); // forgotten
    }

    [Fact]
    public void Apply_PurchaseStoredBeforeIdsWereKept_TheLedgerStillRecognisesIt()
    {
        var a = new ActivityAggregate();
        var purchase = new Version("order-1", ActivityType.Purchase, BaseDay, 60, 2_500, null);
        a.Apply(purchase.ToEvent(), purchase.Day);
        var legacy = ActivityAggregate.Restore(a.LastActiveDay, a.FirstActiveDay, a.DaysBytes(), a.PurchaseBytesArray(), a.CategoriesText());

        Assert.Equal(ApplyOutcome.Repeat, legacy.Apply(purchase.ToEvent(), purchase.Day));
        Assert.Equal(ApplyOutcome.Conflict, legacy.Apply((purchase with { Amount = 9_900 }).ToEvent(), purchase.Day));
        Assert.Equal(ApplyOutcome.Conflict, legacy.Apply((purchase with { Type = ActivityType.Login, Day = BaseDay + 3 }).ToEvent(), BaseDay + 3));
        Assert.Equal(1, legacy.ActiveDaysIn(BaseDay + 3, 30));
    }
}
