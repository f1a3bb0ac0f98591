using Engagement.Segmentation;
using Engagement.Users;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Segmentation;

public class ShardSnapshotTests
{
    private static readonly Gen<SnapshotUser> AnyUser =
        from id in Gen.Elements("u1", "user-42", "9f1c2b7e-0d1a-4c55-a1e2-3b4c5d6e7f80", "用户甲", "a".PadRight(300, 'x'))
        from suffix in Gen.Choose(0, 1_000_000)
        from history in Gen.Elements(true, false)
        from r in Gen.Choose(0, 400)
        from f in Gen.Choose(0, 90)
        from m in Gen.Elements(0L, 1L, 99_999L, long.MaxValue)
        from registered in Gen.Elements<DateOnly?>(null, new DateOnly(2020, 1, 1), new DateOnly(2026, 3, 31))
        from standing in Gen.Elements<RfmStanding?>(null, new RfmStanding(new RfmScores(5, 4, 3), "high-value", null), new RfmStanding(RfmScores.None, "潜力", null))
        from etag in Gen.Elements<string?>(null, "W/\"datetime'2026-11-30T01%3A02%3A03.1234567Z'\"")
        select new SnapshotUser(id + suffix, history ? new RfmValues(true, r, f, m) : RfmValues.NoHistory, registered, standing, etag);

    [Property(MaxTest = 200)]
    public Property WriteThenRead_AnyUsers_RoundTripsInOrder() =>
        Prop.ForAll(Arb.From(AnyUser.ArrayOf()), users =>
        {
            var read = ShardSnapshot.Read(ShardSnapshot.Write(users)).ToArray();

            Assert.Equal(users, read);
        });

    [Fact]
    public void Read_UnknownFormatVersion_Throws()
    {
        var bytes = ShardSnapshot.Write([]);
        bytes[0] = 99;

        Assert.Throws<InvalidDataException>(() => ShardSnapshot.Read(bytes).ToList());
    }
}
