using Engagement.Segmentation;
using Engagement.Users;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Segmentation;

public class TierClassifierTests
{
    private static readonly SegmentationOptions Defaults = new();
    private static readonly TierClassifier Classifier = new(Defaults);
    private static readonly DateOnly AsOf = new(2026, 3, 10);

    private static IEnumerable<RfmScores> AllScores() =>
        from r in Enumerable.Range(1, 5)
        from f in Enumerable.Range(1, 5)
        from m in Enumerable.Range(1, 5)
        select new RfmScores(r, f, m);

    private static readonly Arbitrary<RfmScores> AnyScores =
        Arb.From(from r in Gen.Choose(1, 5) from f in Gen.Choose(1, 5) from m in Gen.Choose(1, 5) select new RfmScores(r, f, m));

    /// <summary>Valid rule lists: minimums only, unique names, a catch-all last.</summary>
    private static readonly Arbitrary<SegmentationOptions> AnyValidRules = Arb.From(
        from count in Gen.Choose(0, 5)
        from mins in (from r in Gen.Choose(1, 5) from f in Gen.Choose(1, 5) from m in Gen.Choose(1, 5) from total in Gen.Choose(0, 15) select (r, f, m, total)).ArrayOf(count)
        select new SegmentationOptions
        {
            Tiers = [.. mins.Select((m, i) => new TierRule { Tier = $"t{i}", MinR = m.Item1, MinF = m.Item2, MinM = m.Item3, MinTotal = m.Item4 }), new TierRule { Tier = "rest" }],
            NoHistory = new NoHistoryRule { RecentTier = "rest", OtherwiseTier = "rest" },
        });

    [Fact]
    public void Classify_DefaultRules_EveryScoreTripleGetsAConfiguredTier()
    {
        foreach (var s in AllScores())
        {
            var tier = Classifier.Classify(s);

            Assert.Contains(tier, Classifier.Tiers);
            Assert.Equal(1, Classifier.Tiers.Count(t => t == tier));
            Assert.True(Classifier.RankOf(tier) >= 0);
        }
    }

    [Fact]
    public void Tiers_DefaultRules_AreTheDefaultTierNamesBestFirst()
    {
        Assert.Equal(SegmentationOptions.DefaultTiers.Select(r => r.Tier), Classifier.Tiers);
        for (var i = 0; i < Classifier.Tiers.Count; i++)
        {
            Assert.Equal(i, Classifier.RankOf(Classifier.Tiers[i]));
        }

        Assert.Equal(-1, Classifier.RankOf("no-such-tier"));
    }

    [Property]
    public Property Classify_SameScores_SameTier() =>
        Prop.ForAll(AnyScores, s => Assert.Equal(Classifier.Classify(s), new TierClassifier(new SegmentationOptions()).Classify(new RfmScores(s.R, s.F, s.M))));

    [Fact]
    public void Classify_DefaultRules_IsMonotoneInEveryScore()
    {
        var all = AllScores().ToArray();
        foreach (var a in all)
        {
            foreach (var b in all.Where(b => a.R >= b.R && a.F >= b.F && a.M >= b.M))
            {
                var ta = Classifier.Classify(a);
                var tb = Classifier.Classify(b);
                Assert.True(Classifier.RankOf(ta) <= Classifier.RankOf(tb), $"{a} -> {ta} ranks below {b} -> {tb}");
            }
        }
    }

    [Property]
    public Property Classify_AnyValidRules_IsMonotoneAndTotal() =>
        Prop.ForAll(AnyValidRules, AnyScores, AnyScores, (options, x, y) =>
        {
            var classifier = new TierClassifier(options);
            var a = new RfmScores(Math.Max(x.R, y.R), Math.Max(x.F, y.F), Math.Max(x.M, y.M)); // a >= y componentwise
            var ta = classifier.Classify(a);
            var ty = classifier.Classify(y);

            Assert.Contains(ta, classifier.Tiers);
            Assert.Contains(ty, classifier.Tiers);
            Assert.True(classifier.RankOf(ta) <= classifier.RankOf(ty), $"{a} -> {ta} ranks below {y} -> {ty}");
        });

    [Fact]
    public void Classify_DefaultRules_IsTheFirstRuleWhoseMinimumsAreAllMet()
    {
        foreach (var s in AllScores())
        {
            var expected = SegmentationOptions.DefaultTiers.First(r => s.R >= r.MinR && s.F >= r.MinF && s.M >= r.MinM && s.R + s.F + s.M >= r.MinTotal).Tier;

            Assert.Equal(expected, Classifier.Classify(s));
        }
    }

    [Fact]
    public void Classify_DefaultRules_BestScoresBestTierWorstScoresLastTier()
    {
        Assert.Equal(Classifier.Tiers[0], Classifier.Classify(new RfmScores(5, 5, 5)));
        Assert.Equal(Classifier.Tiers[^1], Classifier.Classify(new RfmScores(1, 1, 1)));
    }

    [Theory]
    [InlineData(5, 5, 5, "vip")]
    [InlineData(5, 5, 1, "big-spender-or-fan")]
    [InlineData(4, 1, 5, "big-spender-or-fan")]
    [InlineData(3, 5, 5, "rest")]
    [InlineData(1, 1, 1, "rest")]
    public void Classify_CustomRules_FirstMatchingRuleWins(int r, int f, int m, string tier)
    {
        var classifier = new TierClassifier(new SegmentationOptions
        {
            Tiers =
            [
                new() { Tier = "vip", MinTotal = 15 },
                new() { Tier = "big-spender-or-fan", MinR = 4, MinTotal = 10 },
                new() { Tier = "rest" },
            ],
        });

        Assert.Equal(tier, classifier.Classify(new RfmScores(r, f, m)));
    }

    [Fact]
    public void Classify_NoHistoryRegisteredWithinRecentDays_IsRecentTier()
    {
        var registered = AsOf.AddDays(-Defaults.NoHistory.RecentDays);

        Assert.Equal(Defaults.NoHistory.RecentTier, Classifier.Classify(RfmValues.NoHistory, RfmScores.None, registered, AsOf));
        Assert.Equal(Defaults.NoHistory.RecentTier, Classifier.Classify(RfmValues.NoHistory, RfmScores.None, registered.AddDays(10), AsOf));
    }

    [Fact]
    public void Classify_NoHistoryRegisteredBeforeRecentDays_IsOtherwiseTier()
    {
        var registered = AsOf.AddDays(-Defaults.NoHistory.RecentDays - 1);

        Assert.Equal(Defaults.NoHistory.OtherwiseTier, Classifier.Classify(RfmValues.NoHistory, RfmScores.None, registered, AsOf));
    }

    [Fact]
    public void Classify_NoHistoryUnknownRegistration_IsOtherwiseTier()
    {
        Assert.Equal(Defaults.NoHistory.OtherwiseTier, Classifier.Classify(RfmValues.NoHistory, RfmScores.None, registeredOn: null, AsOf));
    }

    [Fact]
    public void Classify_WithHistory_IgnoresRegistrationAndUsesScores()
    {
        var values = new RfmValues(true, 1, 50, 10_000);
        var scores = new RfmScores(5, 5, 5);

        Assert.Equal(Classifier.Tiers[0], Classifier.Classify(values, scores, registeredOn: null, AsOf));
        // registered yesterday, but has history: scored, not treated as a new sign-up
        Assert.Equal(Classifier.Tiers[^1], Classifier.Classify(values, new RfmScores(1, 1, 1), new DateOnly(2026, 3, 9), AsOf));
    }

    [Fact]
    public void Classify_CustomNoHistoryRule_UsesConfiguredTiers()
    {
        var options = new SegmentationOptions { NoHistory = new NoHistoryRule { RecentDays = 7, RecentTier = "regular", OtherwiseTier = "potential" } };
        var classifier = new TierClassifier(options);

        Assert.Equal("regular", classifier.Classify(RfmValues.NoHistory, RfmScores.None, new DateOnly(2026, 3, 3), AsOf)); // 7 days
        Assert.Equal("potential", classifier.Classify(RfmValues.NoHistory, RfmScores.None, new DateOnly(2026, 3, 2), AsOf)); // 8 days
    }
}
