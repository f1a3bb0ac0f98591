using Engagement.Users;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Users;

/// <summary>Which tier moves set or clear the dedicated-service flag.</summary>
public class ServiceFlagRuleTests
{
    private const string Service = "high-value";
    private static readonly DateOnly AsOf = new(2026, 4, 2);

    [Theory]
    [InlineData("regular", "high-value", true)]
    [InlineData("dormant", "high-value", true)]
    [InlineData("", "high-value", true)] // a first tier
    [InlineData("high-value", "potential", false)]
    [InlineData("high-value", "dormant", false)]
    public void MovesIntoOrOutOfTheServiceTier_SetOrClear(string from, string to, bool flagged)
    {
        var change = ServiceFlagRule.Decide("u1", from, to, Service, AsOf);
        Assert.Equal(new ServiceFlagChange("u1", flagged, AsOf, from, to), change);
    }

    [Theory]
    [InlineData("regular", "potential")]
    [InlineData("", "dormant")]
    [InlineData("high-value", "high-value")]
    public void OtherMoves_LeaveTheFlagAlone(string from, string to) =>
        Assert.Null(ServiceFlagRule.Decide("u1", from, to, Service, AsOf));

    [Fact]
    public void TheServiceTierIsConfigured_NotHardWired()
    {
        Assert.NotNull(ServiceFlagRule.Decide("u1", "regular", "gold", "gold", AsOf));
        Assert.Null(ServiceFlagRule.Decide("u1", "regular", "high-value", "gold", AsOf));
    }

    [Property(MaxTest = 200)]
    public Property Changes_FollowingAUsersMoves_AlternateSetAndClear_AndEndInTheTierState() =>
        Prop.ForAll(Arb.From(Gen.Elements("high-value", "potential", "regular", "dormant").ListOf()), tiers =>
        {
            // one user's nightly tiers; a move is any change of tier, starting from no tier
            var moves = tiers.Prepend("").Zip(tiers).Where(m => m.First != m.Second).Select((m, day) => ("u1", m.First, m.Second)).ToList();
            var changes = ServiceFlagRule.Changes(moves, Service, AsOf);
            Assert.All(changes.Zip(changes.Skip(1)), pair => Assert.NotEqual(pair.First.Flagged, pair.Second.Flagged));
            if (changes.Count > 0)
            {
                Assert.True(changes[0].Flagged);
                Assert.Equal(tiers[^1] == Service, changes[^1].Flagged);
            }
            else
            {
                Assert.DoesNotContain(Service, tiers);
            }
        });
}
