using Engagement.Segmentation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Segmentation;

public class QuintileCutoffsTests
{
    private static readonly Arbitrary<(long[] Values, bool Descending)> ValuesAndDirection =
        Arb.From(Gen.Zip(Generators.MetricValues, Gen.Elements(false, true)));

    /// <summary>1 + floor(5 * #{values v beats} / n), straight from the definition (R: fewer days beats more).</summary>
    private static int ReferenceScore(long[] values, long v, bool descending)
    {
        var beaten = descending ? values.LongCount(x => x > v) : values.LongCount(x => x < v);
        return 1 + (int)(5 * beaten / values.Length);
    }

    [Property(MaxTest = 300)]
    public Property Score_EveryValueInTheList_MatchesReferenceFormula() =>
        Prop.ForAll(ValuesAndDirection, t =>
        {
            var cutoffs = QuintileCutoffs.From(ValueHistogram.FromValues(t.Values), t.Descending);

            foreach (var v in t.Values.Distinct())
            {
                Assert.True(ReferenceScore(t.Values, v, t.Descending) == cutoffs.Score(v), $"value {v}: reference {ReferenceScore(t.Values, v, t.Descending)}, got {cutoffs.Score(v)} with {cutoffs}");
            }
        });

    [Property(MaxTest = 300)]
    public Property Score_AnyList_IsMonotoneInTheValueAndWithin1To5() =>
        Prop.ForAll(ValuesAndDirection, t =>
        {
            var cutoffs = QuintileCutoffs.From(ValueHistogram.FromValues(t.Values), t.Descending);
            var sorted = t.Values.Order().ToArray();
            var scores = sorted.Select(cutoffs.Score).ToArray();

            Assert.All(scores, s => Assert.InRange(s, 1, 5));
            for (var i = 1; i < scores.Length; i++)
            {
                Assert.True(t.Descending ? scores[i] <= scores[i - 1] : scores[i] >= scores[i - 1], $"{sorted[i - 1]} -> {scores[i - 1]}, {sorted[i]} -> {scores[i]}");
            }

            // equal values get equal scores: a score is a function of the value only
            Assert.All(t.Values.GroupBy(v => v), g => Assert.Single(g.Select(cutoffs.Score).Distinct()));
        });

    [Property(MaxTest = 200)]
    public Property Score_DistinctValues_SpreadsUsersEvenlyOverTheFiveScores() =>
        Prop.ForAll(
            Arb.From(from n in Gen.Choose(5, 500)
                     from values in Gen.Choose(-1_000_000, 1_000_000).Select(v => (long)v).ArrayOf(n)
                     from desc in Gen.Elements(false, true)
                     select (Values: values.Distinct().ToArray(), Descending: desc)),
            t =>
            {
                var n = t.Values.Length;
                var cutoffs = QuintileCutoffs.From(ValueHistogram.FromValues(t.Values), t.Descending);
                var perScore = t.Values.GroupBy(cutoffs.Score).ToDictionary(g => g.Key, g => g.Count());

                for (var score = 1; score <= 5; score++)
                {
                    var count = perScore.GetValueOrDefault(score);
                    Assert.True(Math.Abs(count - (n / 5.0)) <= 1, $"score {score}: {count} of {n} users");
                }
            });

    [Fact]
    public void Score_BestValues_GetFiveInBothDirections()
    {
        long[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        var asc = QuintileCutoffs.From(ValueHistogram.FromValues(values), descending: false);
        var desc = QuintileCutoffs.From(ValueHistogram.FromValues(values), descending: true);

        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], values.Select(asc.Score));
        Assert.Equal([5, 5, 4, 4, 3, 3, 2, 2, 1, 1], values.Select(desc.Score));
    }

    [Fact]
    public void Score_SixtyPercentTiedAtZero_TieNeverStraddlesACutoff()
    {
        long[] values = [0, 0, 0, 0, 0, 0, 10, 20, 30, 40];

        var cutoffs = QuintileCutoffs.From(ValueHistogram.FromValues(values), descending: false);

        Assert.Equal([1, 1, 1, 1, 1, 1, 4, 4, 5, 5], values.Select(cutoffs.Score));
    }

    [Fact]
    public void From_EmptyHistogram_ScoresWithoutThrowing()
    {
        var asc = QuintileCutoffs.From(ValueHistogram.Empty, descending: false);
        var desc = QuintileCutoffs.From(ValueHistogram.Empty, descending: true);

        Assert.Equal(1, asc.Score(0));
        Assert.Equal(1, desc.Score(0));
    }

    [Fact]
    public void Score_ValueEqualToSentinel_MatchesReferenceFormula()
    {
        long[] values = [0, long.MaxValue];

        var cutoffs = QuintileCutoffs.From(ValueHistogram.FromValues(values), descending: false);

        Assert.Equal(ReferenceScore(values, long.MaxValue, descending: false), cutoffs.Score(long.MaxValue));
    }

    [Property]
    public Property ToStringThenParse_AnyCutoffs_RoundTrips() =>
        Prop.ForAll(
            Arb.From(from d in Gen.Elements(false, true)
                     from b in Gen.OneOf(Generators.AnyLong.Select(v => (long?)v), Gen.Constant<long?>(null)).ArrayOf(4)
                     select new QuintileCutoffs(d, b[0], b[1], b[2], b[3])),
            c => Assert.Equal(c, QuintileCutoffs.Parse(c.ToString())));

    [Fact]
    public void ToString_Cutoffs_IsDirectionThenFourBounds()
    {
        Assert.Equal("desc,30,14,7,-2", new QuintileCutoffs(true, 30, 14, 7, -2).ToString());
        Assert.Equal("asc,0,5,-,-", new QuintileCutoffs(false, 0, 5, null, null).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("asc,1,2,3")]
    [InlineData("up,1,2,3,4")]
    [InlineData("asc,1,2,3,4,5")]
    [InlineData("asc,1,2,x,4")]
    public void Parse_Malformed_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => QuintileCutoffs.Parse(text));
    }
}
