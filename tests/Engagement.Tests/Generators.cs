using FsCheck;
using FsCheck.Fluent;

namespace Engagement.Tests;

/// <summary>Generators shared by the property tests.</summary>
internal static class Generators
{
    /// <summary>Any 64-bit value, with the extremes and small values well represented.</summary>
    public static Gen<long> AnyLong { get; } = Gen.Frequency(
        (4, Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue), (hi, lo) => ((long)hi << 32) | (uint)lo)),
        (3, Gen.Choose(-1_000, 1_000).Select(v => (long)v)),
        (1, Gen.Elements(long.MinValue, long.MinValue + 1, -1L, 0L, 1L, long.MaxValue - 1, long.MaxValue)));

    /// <summary>
    /// Metric-like value lists (1..300 values): a narrow pool (heavy ties), a wide range, or mostly
    /// one value (say 60% of users spent nothing) with a scattered tail.
    /// </summary>
    public static Gen<long[]> MetricValues { get; } = Gen.Choose(1, 300).SelectMany(n => Gen.OneOf(
        Gen.Choose(0, 3).Select(v => (long)v).ArrayOf(n),
        Gen.Choose(-100_000, 100_000).Select(v => (long)v).ArrayOf(n),
        Gen.Frequency((6, Gen.Constant(0L)), (4, Gen.Choose(1, 50).Select(v => (long)v))).ArrayOf(n),
        Gen.Frequency((1, Gen.Constant(7L)), (1, Gen.Choose(0, 1_000_000).Select(v => (long)v))).ArrayOf(n)));
}
