using Engagement.Segmentation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Segmentation;

public class ValueHistogramTests
{
    private static readonly Arbitrary<long[]> AnyValues = Arb.From(Gen.OneOf(
        Generators.AnyLong.ArrayOf(),
        Generators.MetricValues,
        Gen.Elements(long.MinValue, -1L, 0L, long.MaxValue).ArrayOf()));

    private static void AssertSame(ValueHistogram expected, ValueHistogram actual)
    {
        Assert.Equal(expected.Values.ToArray(), actual.Values.ToArray());
        Assert.Equal(expected.Counts.ToArray(), actual.Counts.ToArray());
        Assert.Equal(expected.Total, actual.Total);
    }

    [Property(MaxTest = 300)]
    public Property FromValues_AnyValues_HoldsSortedDistinctValuesWithTheirCounts() =>
        Prop.ForAll(AnyValues, values =>
        {
            var h = ValueHistogram.FromValues(values);
            var expected = values.GroupBy(v => v).OrderBy(g => g.Key).ToArray();

            Assert.Equal(expected.Select(g => g.Key), h.Values.ToArray());
            Assert.Equal(expected.Select(g => (long)g.Count()), h.Counts.ToArray());
            Assert.Equal(values.Length, h.Total);
        });

    [Property(MaxTest = 300)]
    public Property ToBytesThenFromBytes_AnyValues_RoundTrips() =>
        Prop.ForAll(AnyValues, values =>
        {
            var h = ValueHistogram.FromValues(values);

            AssertSame(h, ValueHistogram.FromBytes(h.ToBytes()));
        });

    [Fact]
    public void ToBytesThenFromBytes_ExtremesAndLargeCounts_RoundTrips()
    {
        var h = ValueHistogram.FromCounts(new Dictionary<long, long>
        {
            [long.MinValue] = 1,
            [-1] = long.MaxValue / 4,
            [0] = 3,
            [long.MaxValue] = 1L << 40,
        });

        AssertSame(h, ValueHistogram.FromBytes(h.ToBytes()));
    }

    [Fact]
    public void FromBytes_Empty_IsEmpty()
    {
        Assert.Equal(0, ValueHistogram.FromBytes([]).Total);
        AssertSame(ValueHistogram.Empty, ValueHistogram.FromBytes(ValueHistogram.Empty.ToBytes()));
    }

    [Property(MaxTest = 300)]
    public Property Merge_AnySplit_EqualsHistogramOfTheConcatenation() =>
        Prop.ForAll(
            Arb.From(from parts in Gen.OneOf(Generators.AnyLong.ArrayOf(), Generators.MetricValues).ArrayOf()
                     select parts),
            parts =>
            {
                var merged = ValueHistogram.Merge(parts.Select(p => ValueHistogram.FromValues(p)));

                AssertSame(ValueHistogram.FromValues(parts.SelectMany(p => p).ToArray()), merged);
            });

    [Property]
    public Property Merge_SerializedParts_EqualsHistogramOfTheConcatenation() =>
        Prop.ForAll(Arb.From(Generators.MetricValues.ArrayOf()), parts =>
        {
            var merged = ValueHistogram.Merge(parts.Select(p => ValueHistogram.FromBytes(ValueHistogram.FromValues(p).ToBytes())));

            AssertSame(ValueHistogram.FromValues(parts.SelectMany(p => p).ToArray()), merged);
        });

    [Fact]
    public void FromValues_Input_IsLeftUnsorted()
    {
        long[] values = [3, 1, 2];

        ValueHistogram.FromValues(values);

        Assert.Equal([3L, 1L, 2L], values);
    }
}
