using Azure.Data.Tables;
using Engagement.Segmentation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Segmentation;

/// <summary>Binary values split over 64 KB columns (the nightly stats rows' histograms and the snapshot pages).</summary>
public class ChunkedBinaryTests
{
    [Property(MaxTest = 50)]
    public Property WriteThenRead_AnyLength_RoundTripsInColumnsOfAtMost64KB() =>
        Prop.ForAll(
            Arb.From(Gen.OneOf(Gen.Choose(0, 3), Gen.Choose(63_990, 64_010), Gen.Choose(0, 200_000))),
            length =>
            {
                var bytes = new byte[length];
                new Random(length).NextBytes(bytes);
                var row = new TableEntity("run", "stats-s00");

                ChunkedBinary.Write(row, "HistM", bytes);

                var chunks = Math.Max(1, (length + ChunkedBinary.MaxProperty - 1) / ChunkedBinary.MaxProperty);
                Assert.Equal(chunks, row.GetInt32("HistMChunks"));
                Assert.All(Enumerable.Range(0, chunks), i => Assert.InRange(row.GetBinary($"HistM{i}").Length, length == 0 ? 0 : 1, ChunkedBinary.MaxProperty));
                Assert.Equal(bytes, ChunkedBinary.Read(row, "HistM"));
            });

    [Fact]
    public void Read_NoSuchColumns_IsEmpty()
    {
        Assert.Empty(ChunkedBinary.Read(new TableEntity("run", "stats-s00"), "HistR"));
    }
}
