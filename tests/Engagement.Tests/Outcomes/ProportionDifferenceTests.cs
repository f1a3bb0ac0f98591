using Engagement.Outcomes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Outcomes;

/// <summary>Wilson and Newcombe (method 10) intervals against the values in Newcombe 1998, table II, and worked by hand.</summary>
public class ProportionDifferenceTests
{
    [Theory]
    // Newcombe 1998's examples (a)-(f), method 10: 56/70 - 48/80 is 0.2000, not 0.1750
    [InlineData(56, 70, 48, 80, 0.2000, 0.0524, 0.3339)]
    [InlineData(9, 10, 3, 10, 0.6000, 0.1705, 0.8090)]
    [InlineData(6, 7, 2, 7, 0.5714, 0.0582, 0.8062)]
    [InlineData(5, 56, 0, 29, 0.0893, -0.0381, 0.1926)]
    [InlineData(0, 10, 0, 20, 0.0000, -0.1611, 0.2775)]
    [InlineData(10, 10, 0, 20, 1.0000, 0.6791, 1.0000)]
    public void Newcombe_PublishedExamples(int x1, int n1, int x2, int n2, double d, double low, double high)
    {
        var i = ProportionDifference.Newcombe(x1, n1, x2, n2)!.Value;
        Assert.Equal((d, low, high), (Math.Round(i.Estimate, 4), Math.Round(i.Low, 4), Math.Round(i.High, 4)));
    }

    [Fact]
    public void Wilson_ByHand()
    {
        // 0/10: the upper bound is z²/(n + z²) = 3.841459 / 13.841459 = 0.277533
        var zero = ProportionDifference.Wilson(0, 10)!.Value;
        Assert.Equal((0.0, 0.0, 0.277533), (zero.Estimate, zero.Low, Math.Round(zero.High, 6)));
        // 56/70: (2·56 + z² ± z·sqrt(z² + 4·56·0.2)) / (2·(70 + z²)) = (115.841459 ± 14.970712) / 147.682918
        var w = ProportionDifference.Wilson(56, 70)!.Value;
        Assert.Equal((0.691834, 0.876953), (Math.Round(w.Low, 6), Math.Round(w.High, 6)));
        // 10/10 mirrors 0/10
        Assert.Equal(1 - 0.277533, Math.Round(ProportionDifference.Wilson(10, 10)!.Value.Low, 6), 6);
    }

    [Fact]
    public void ZeroCounts_WaldCollapsesToAPoint_NewcombeDoesNot()
    {
        // Wald: d ± z·sqrt(p1(1-p1)/n1 + p2(1-p2)/n2) has SE 0 when each arm is all or nothing
        static (double Low, double High) Wald(int x1, int n1, int x2, int n2)
        {
            double p1 = (double)x1 / n1, p2 = (double)x2 / n2;
            var half = ProportionDifference.Z95 * Math.Sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
            return (p1 - p2 - half, p1 - p2 + half);
        }

        Assert.Equal((0.0, 0.0), Wald(0, 10, 0, 20));
        Assert.Equal((1.0, 1.0), Wald(10, 10, 0, 20));
        // and overshoots [-1, 1] with a small arm near the edge: 9/10 - 0/3
        Assert.True(Wald(9, 10, 0, 3).High > 1);

        var none = ProportionDifference.Newcombe(0, 10, 0, 20)!.Value;
        Assert.True(none.Low < 0 && none.High > 0);
        var all = ProportionDifference.Newcombe(10, 10, 0, 20)!.Value;
        Assert.True(all.Low < 1);
        Assert.InRange(ProportionDifference.Newcombe(9, 10, 0, 3)!.Value.High, 0, 1);
    }

    [Fact]
    public void NoTrials_NoInterval()
    {
        Assert.Null(ProportionDifference.Wilson(0, 0));
        Assert.Null(ProportionDifference.Newcombe(3, 10, 0, 0));
        Assert.Null(ProportionDifference.Newcombe(0, 0, 3, 10));
    }

    [Fact]
    public void CampaignOutcome_LiftInterval_InPercentagePoints()
    {
        var o = new CampaignOutcome("c", 14, Reached: 70, ReachedActive: 56, HeldOut: 80, HeldOutActive: 48, StillInWindow: 0);
        var lift = o.LiftInterval!.Value;
        Assert.Equal((20.0, 5.24, 33.39), (Math.Round(lift.Estimate, 2), Math.Round(lift.Low, 2), Math.Round(lift.High, 2)));
        Assert.Null((o with { HeldOut = 0, HeldOutActive = 0 }).LiftInterval);
    }

    private static readonly Gen<(int X, int N)> Arm =
        from n in Gen.Choose(1, 5_000) from x in Gen.Choose(0, n) select (x, n);

    [Property(MaxTest = 500)]
    public Property Newcombe_ContainsTheEstimate_WithinMinusOneToOne() =>
        Prop.ForAll(Arb.From(Gen.Zip(Arm, Arm)), arms =>
        {
            var ((x1, n1), (x2, n2)) = arms;
            var i = ProportionDifference.Newcombe(x1, n1, x2, n2)!.Value;
            Assert.Equal((double)x1 / n1 - (double)x2 / n2, i.Estimate, 12);
            Assert.InRange(i.Estimate, i.Low, i.High);
            Assert.InRange(i.Low, -1, 1);
            Assert.InRange(i.High, -1, 1);
        });

    [Theory]
    [InlineData(119)]
    [InlineData(1)]
    [InlineData(1_000_000)]
    public void Wilson_AllOrNone_HasExactlyTheBoundAtTheEstimate(long n)
    {
        // found by the property below: at x = n the upper bound came out 0.99999999999999989, under the estimate 1
        Assert.Equal(1.0, ProportionDifference.Wilson(n, n)!.Value.High);
        Assert.Equal(0.0, ProportionDifference.Wilson(0, n)!.Value.Low);
    }

    [Property(MaxTest = 500)]
    public Property Wilson_ContainsTheEstimate_WithinZeroToOne() =>
        Prop.ForAll(Arb.From(Arm), arm =>
        {
            var i = ProportionDifference.Wilson(arm.X, arm.N)!.Value;
            Assert.InRange(i.Estimate, i.Low, i.High);
            Assert.True(i.Low >= 0 && i.High <= 1);
        });
}
