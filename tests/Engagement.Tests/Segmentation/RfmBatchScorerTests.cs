using Engagement.Segmentation;
using Engagement.Users;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Segmentation;

public class RfmBatchScorerTests
{
    private static readonly SegmentationOptions Options = new();
    private static readonly TierClassifier Classifier = new(Options);

    private static readonly Gen<RfmValues> UserGen = Gen.Frequency(
        (1, Gen.Constant(RfmValues.NoHistory)),
        (5, from recency in Gen.OneOf(Gen.Choose(0, 3), Gen.Choose(0, 400))
            from frequency in Gen.OneOf(Gen.Choose(1, 3), Gen.Choose(1, 90))
            from monetary in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 500_000)))
            select new RfmValues(true, recency, frequency, monetary)));

    private static readonly Arbitrary<RfmValues[]> Populations = Arb.From(Gen.Choose(0, 400).SelectMany(n => UserGen.ArrayOf(n)));

    private static int Reference(long[] population, long v, bool descending) =>
        1 + (int)(5 * population.LongCount(x => descending ? x > v : x < v) / population.Length);

    [Property(MaxTest = 200)]
    public Property Score_AnyPopulation_EqualsPerUserScoringWithCutoffsFromHistograms() =>
        Prop.ForAll(Populations, users =>
        {
            var history = users.Where(u => u.HasHistory).ToArray();
            var expectedCutoffs = RfmCutoffs.From(
                ValueHistogram.FromValues(history.Select(u => u.RecencyDays).ToArray()),
                ValueHistogram.FromValues(history.Select(u => u.Frequency).ToArray()),
                ValueHistogram.FromValues(history.Select(u => u.MonetaryMinor).ToArray()));

            var result = RfmBatchScorer.Score(users, Classifier);

            Assert.Equal(expectedCutoffs, result.Cutoffs);
            Assert.Equal(users.Length, result.Scores.Length);
            Assert.Equal(users.Length, result.Tiers.Length);
            for (var i = 0; i < users.Length; i++)
            {
                var expectedScores = expectedCutoffs.Score(users[i]);
                Assert.Equal(expectedScores, result.Scores[i]);
                Assert.Equal(users[i].HasHistory ? Classifier.Classify(expectedScores) : Options.NoHistory.OtherwiseTier, result.Tiers[i]);
            }
        });

    [Property(MaxTest = 200)]
    public Property Score_AnyPopulation_MatchesRankFormulaForUsersWithHistory() =>
        Prop.ForAll(Populations, users =>
        {
            var history = users.Where(u => u.HasHistory).ToArray();
            var r = history.Select(u => u.RecencyDays).ToArray();
            var f = history.Select(u => u.Frequency).ToArray();
            var m = history.Select(u => u.MonetaryMinor).ToArray();

            var result = RfmBatchScorer.Score(users, Classifier);

            for (var i = 0; i < users.Length; i++)
            {
                var u = users[i];
                var expected = u.HasHistory
                    ? new RfmScores(Reference(r, u.RecencyDays, descending: true), Reference(f, u.Frequency, descending: false), Reference(m, u.MonetaryMinor, descending: false))
                    : RfmScores.None;
                Assert.Equal(expected, result.Scores[i]);
            }
        });

    [Fact]
    public void Score_EmptyPopulation_ReturnsEmpty()
    {
        var result = RfmBatchScorer.Score([], Classifier);

        Assert.Empty(result.Scores);
        Assert.Empty(result.Tiers);
    }

    [Fact]
    public void Score_OnlyUsersWithoutHistory_AllGetOtherwiseTierAndNoScores()
    {
        var result = RfmBatchScorer.Score([RfmValues.NoHistory, RfmValues.NoHistory], Classifier);

        Assert.All(result.Scores, s => Assert.Equal(RfmScores.None, s));
        Assert.All(result.Tiers, t => Assert.Equal(Options.NoHistory.OtherwiseTier, t));
    }

    [Fact]
    public void Score_InputArray_IsNotReordered()
    {
        RfmValues[] users = [new(true, 9, 1, 0), new(true, 1, 9, 900), new(true, 5, 5, 500)];
        var copy = users.ToArray();

        RfmBatchScorer.Score(users, Classifier);

        Assert.Equal(copy, users);
    }
}
