using Engagement.Activity;
using Engagement.Content;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Content;

public sealed class InterestProfileTests
{
    private static readonly ContentPickOptions Options = new();
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Decay_HalvesAWeightAfterOneHalfLife_AndQuartersItAfterTwo()
    {
        var profile = InterestProfile.Empty.Add(ActivityType.Purchase, "fitness", T0, Options);
        Assert.Equal(5, profile.WeightOf("fitness"), 12);
        Assert.Equal(2.5, profile.At(T0.AddDays(30), Options.HalfLifeDays).WeightOf("fitness"), 12);
        Assert.Equal(1.25, profile.At(T0.AddDays(60), Options.HalfLifeDays).WeightOf("fitness"), 12);
    }

    [Property(MaxTest = 200)]
    public Property Decay_HalvesAfterOneHalfLife_ForAnyHalfLifeAndWeight() =>
        Prop.ForAll(Arb.From(Gen.Choose(1, 3650)), Arb.From(Gen.Choose(1, 1000)), (halfLife, purchase) =>
        {
            var options = new ContentPickOptions { HalfLifeDays = halfLife, Weights = new() { Purchase = purchase } };
            var profile = InterestProfile.Empty.Add(ActivityType.Purchase, "c", T0, options);
            var one = profile.At(T0.AddDays(halfLife), halfLife).WeightOf("c");
            var two = profile.At(T0.AddDays(2 * halfLife), halfLife).WeightOf("c");
            Assert.Equal(purchase / 2.0, one, 9);
            Assert.Equal(purchase / 4.0, two, 9);
        });

    [Fact]
    public void Add_DecaysTheExistingWeightsFirst_ThenAddsTheEventsWeight()
    {
        var profile = InterestProfile.Empty
            .Add(ActivityType.Purchase, "fitness", T0, Options)
            .Add(ActivityType.Interaction, "recipes", T0.AddDays(30), Options);

        Assert.Equal(T0.AddDays(30), profile.AsOf);
        Assert.Equal(2.5, profile.WeightOf("fitness"), 12);
        Assert.Equal(1, profile.WeightOf("recipes"), 12);
        Assert.Equal("fitness", profile.Strongest);
    }

    [Fact]
    public void Add_PurchasesWeighMoreThanInteractions_AndLoginsAndNoCategoryAddNothing()
    {
        var profile = InterestProfile.Empty
            .Add(ActivityType.Interaction, "toys", T0, Options)
            .Add(ActivityType.Interaction, "toys", T0, Options)
            .Add(ActivityType.Purchase, "fitness", T0, Options)
            .Add(ActivityType.Login, "games", T0, Options)
            .Add(ActivityType.Purchase, null, T0, Options);

        Assert.Equal(["fitness", "toys"], profile.Categories);
        Assert.Equal([5.0, 2.0], profile.Weights);
    }

    [Fact]
    public void Add_ALateEventIsDecayedToTheProfilesDate()
    {
        var profile = InterestProfile.Empty
            .Add(ActivityType.Interaction, "toys", T0.AddDays(30), Options)
            .Add(ActivityType.Purchase, "fitness", T0, Options);

        Assert.Equal(T0.AddDays(30), profile.AsOf);
        Assert.Equal(2.5, profile.WeightOf("fitness"), 12);
    }

    [Property(MaxTest = 200)]
    public Property Add_TheOrderEventsArriveInDoesNotMatter() =>
        Prop.ForAll(Arb.From(EventsAndShuffle(Pool[..InterestProfile.MaxCategories])), pair =>
        {
            // within the bound: past 16 categories which one is dropped depends on the order (by design)
            var (events, shuffled) = pair;
            var a = Apply(events);
            var b = Apply(shuffled);
            Assert.Equal(a.AsOf, b.AsOf);
            Assert.Equal(a.Categories.Order(StringComparer.Ordinal), b.Categories.Order(StringComparer.Ordinal));
            foreach (var c in a.Categories)
            {
                Assert.Equal(a.WeightOf(c), b.WeightOf(c), 9);
            }
        });

    [Fact]
    public void Create_KeepsTheSixteenHeaviest_AndDropsNegligibleWeights()
    {
        var categories = Enumerable.Range(0, 20).Select(i => $"c{i:00}").Append("faded").ToList();
        var weights = Enumerable.Range(0, 20).Select(i => (double)i + 1).Append(InterestProfile.MinWeight / 2).ToList();

        var profile = InterestProfile.Create(T0, categories, weights);

        Assert.Equal(InterestProfile.MaxCategories, profile.Count);
        Assert.Equal("c19", profile.Strongest);
        Assert.DoesNotContain("c03", profile.Categories);
        Assert.DoesNotContain("faded", profile.Categories);
        Assert.Contains("c04", profile.Categories);
    }

    [Fact]
    public void Format_IsCompactAndReadable()
    {
        var profile = InterestProfile.Empty
            .Add(ActivityType.Purchase, "fitness", T0, Options)
            .Add(ActivityType.Interaction, "a:b c", T0, Options);

        Assert.Equal("2026-11-01T08:00:00Z;fitness:5,a:b c:1", profile.Format());
        Assert.Equal("", InterestProfile.Empty.Format());
    }

    [Property(MaxTest = 300)]
    public Property FormatAndParse_RoundTrip() =>
        Prop.ForAll(Arb.From(EventsAndShuffle(Pool)), pair =>
        {
            var profile = Apply(pair.Item1).At(T0.AddDays(90).AddSeconds(0.5), Options.HalfLifeDays);
            var text = profile.Format();
            var parsed = InterestProfile.Parse(text);

            if (profile.Count == 0)
            {
                Assert.Equal("", text); // no interests: nothing to date
                return;
            }

            // 6 significant digits: weights equal to that precision may swap places, so compare by category
            Assert.Equal(profile.AsOf.AddTicks(-(profile.AsOf.Ticks % TimeSpan.TicksPerSecond)), parsed.AsOf);
            Assert.Equal(profile.Categories.Order(StringComparer.Ordinal), parsed.Categories.Order(StringComparer.Ordinal));
            Assert.All(profile.Categories, c => Assert.Equal(profile.WeightOf(c), parsed.WeightOf(c), profile.WeightOf(c) * 1e-5));
            Assert.True(parsed.Count <= InterestProfile.MaxCategories);
            Assert.Equal(parsed.Format(), InterestProfile.Parse(parsed.Format()).Format());
        });

    [Theory]
    [InlineData("fitness:5")]
    [InlineData("2026-11-01;fitness:5")]
    [InlineData("2026-11-01T08:00:00Z;fitness")]
    [InlineData("2026-11-01T08:00:00Z;fitness:x")]
    [InlineData("2026-11-01T08:00:00Z;:5")]
    [InlineData("2026-11-01T08:00:00Z;a:1,a:2")]
    public void Parse_RefusesWhatIsNotAProfile(string text)
    {
        Assert.False(InterestProfile.TryParse(text, out _));
        Assert.Throws<FormatException>(() => InterestProfile.Parse(text));
    }

    [Fact]
    public void Parse_EmptyIsTheEmptyProfile()
    {
        Assert.Same(InterestProfile.Empty, InterestProfile.Parse(""));
        Assert.Same(InterestProfile.Empty, InterestProfile.Parse(null));
    }

    private static readonly string[] Pool = [.. Enumerable.Range(0, 24).Select(i => $"cat-{i}"), "a:b", "food & drink"];

    private static Gen<(ActivityType Type, string? Category, int Minutes)> AnyEvent(string[] pool) =>
        from type in Gen.Elements(ActivityType.Login, ActivityType.Interaction, ActivityType.Purchase, ActivityType.Referral)
        from category in Gen.Frequency((9, Gen.Elements(pool).Select(c => (string?)c)), (1, Gen.Constant<string?>(null)))
        from minutes in Gen.Choose(0, 90 * 24 * 60)
        select (type, category, minutes);

    private static Gen<((ActivityType, string?, int)[], (ActivityType, string?, int)[])> EventsAndShuffle(string[] pool) =>
        from events in AnyEvent(pool).ArrayOf()
        from shuffled in Gen.Shuffle(events)
        select (events, shuffled);

    private static InterestProfile Apply(IEnumerable<(ActivityType Type, string? Category, int Minutes)> events) =>
        events.Aggregate(InterestProfile.Empty, (p, e) => p.Add(e.Type, e.Category, T0.AddMinutes(e.Minutes), Options));
}
