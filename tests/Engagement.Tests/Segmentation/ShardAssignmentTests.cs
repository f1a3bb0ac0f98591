using Engagement.Segmentation;
using Engagement.Users;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Segmentation;

/// <summary>The tier decision of the assign phase: what is written, what counts as a transition.</summary>
public class ShardAssignmentTests
{
    private static readonly SegmentationOptions Options = new();
    private static readonly TierClassifier Classifier = new(Options);
    private static readonly DateOnly AsOf = new(2026, 3, 31);

    // R: 0 days -> 5; F: 30 days -> 5; M: 20,000 -> 5 and 6,000 -> 4; 1 day / 1 purchase -> 1s
    private static readonly RfmCutoffs Cutoffs = new(
        new QuintileCutoffs(true, 30, 14, 7, 2),
        new QuintileCutoffs(false, 2, 5, 10, 20),
        new QuintileCutoffs(false, 100, 1_000, 5_000, 10_000));

    private static readonly RfmValues Best = new(true, 0, 30, 20_000); // 555: high-value
    private static readonly RfmValues NearlyBest = new(true, 0, 30, 6_000); // 554: high-value
    private static readonly RfmValues Lapsed = new(true, 300, 1, 0); // 111: dormant

    private static SnapshotUser User(RfmValues values, RfmStanding? standing, string id = "u1", DateOnly? registered = null) =>
        new(id, values, registered, standing);

    [Fact]
    public void Decide_UserWithoutAStanding_GetsAFirstTierWithTierSinceAndATransitionFromNothing()
    {
        var decision = ShardAssignment.Decide(User(Best, null), Cutoffs, Classifier, AsOf);

        Assert.Equal(new RfmScores(5, 5, 5), decision.Scores);
        Assert.Equal("high-value", decision.Tier);
        Assert.Equal(new StandingChange("u1", new RfmScores(5, 5, 5), "high-value", "2026-03-31"), decision.Change);
        Assert.Equal(new TierTransition("u1", "", "high-value", new RfmScores(5, 5, 5)), decision.Transition);
    }

    [Fact]
    public void Decide_SameScoresAndTier_WritesNothing()
    {
        var decision = ShardAssignment.Decide(User(Best, new RfmStanding(new RfmScores(5, 5, 5), "high-value", null)), Cutoffs, Classifier, AsOf);

        Assert.Equal("high-value", decision.Tier);
        Assert.Null(decision.Change);
        Assert.Null(decision.Transition);
    }

    [Fact]
    public void Decide_ScoresChangeWithinTheTier_WritesTheScoresAndKeepsTierSince()
    {
        var decision = ShardAssignment.Decide(User(NearlyBest, new RfmStanding(new RfmScores(5, 5, 5), "high-value", null)), Cutoffs, Classifier, AsOf);

        // TierSince null: the column is left out of the merge, so the stored date stands
        Assert.Equal(new StandingChange("u1", new RfmScores(5, 5, 4), "high-value", null), decision.Change);
        Assert.Null(decision.Transition);
    }

    [Fact]
    public void Decide_TierChanges_WritesTheNewTierSinceTheAsOfDateAndRecordsTheTransition()
    {
        var decision = ShardAssignment.Decide(User(Lapsed, new RfmStanding(new RfmScores(5, 5, 4), "high-value", null)), Cutoffs, Classifier, AsOf);

        Assert.Equal(new StandingChange("u1", new RfmScores(1, 1, 1), "dormant", "2026-03-31"), decision.Change);
        Assert.Equal(new TierTransition("u1", "high-value", "dormant", new RfmScores(1, 1, 1)), decision.Transition);
    }

    [Fact]
    public void Decide_NoHistory_TierByRegistrationAndScoresZero()
    {
        var recent = ShardAssignment.Decide(User(RfmValues.NoHistory, null, registered: AsOf.AddDays(-3)), Cutoffs, Classifier, AsOf);
        var old = ShardAssignment.Decide(User(RfmValues.NoHistory, new RfmStanding(RfmScores.None, "dormant", null), registered: AsOf.AddDays(-300)), Cutoffs, Classifier, AsOf);

        Assert.Equal((RfmScores.None, Options.NoHistory.RecentTier), (recent.Scores, recent.Tier));
        Assert.Null(old.Change);
        Assert.Equal(Options.NoHistory.OtherwiseTier, old.Tier);
    }

    [Fact]
    public void Of_Shard_CountsEveryTierAndWritesOnlyWhatChanged()
    {
        SnapshotUser[] users =
        [
            User(Best, new RfmStanding(new RfmScores(5, 5, 5), "high-value", null), "same"),
            User(NearlyBest, new RfmStanding(new RfmScores(5, 5, 5), "high-value", null), "scores"),
            User(Best, new RfmStanding(new RfmScores(1, 1, 1), "dormant", null), "back"),
            User(Lapsed, null, "new"),
        ];

        var assignment = ShardAssignment.Of(users, Cutoffs, Classifier, AsOf);

        Assert.Equal(4, assignment.Users);
        // every configured tier is counted, the empty ones too, in rule order
        Assert.Equal([KeyValuePair.Create("high-value", 3L), KeyValuePair.Create("potential", 0L), KeyValuePair.Create("regular", 0L), KeyValuePair.Create("dormant", 1L)], assignment.TierCounts);
        Assert.Equal(["scores", "back", "new"], assignment.Changes.Select(c => c.UserId));
        Assert.Equal([("back", "dormant", "high-value"), ("new", "", "dormant")], assignment.Transitions.Select(t => (t.UserId, t.From, t.To)));
        Assert.Equal(new ShardResult(4, 3, 2, assignment.TierCounts), assignment.Result);
        Assert.Equal([("high-value", 1)], assignment.ReactivatedFrom("dormant"));
    }

    [Fact]
    public void WithStoredStandings_StoredStandingsReplaceTheSnapshots_OthersKeepTheirs()
    {
        var written = new RfmStanding(new RfmScores(5, 5, 5), "high-value", "2026-03-31");
        SnapshotUser[] snapshot = [User(Best, null, "written"), User(Best, written, "gone"), User(Best, null, "unknown")];
        var stored = new Dictionary<string, RfmStanding?> { ["written"] = written, ["gone"] = null };

        var refreshed = ShardAssignment.WithStoredStandings(snapshot, stored);

        Assert.Equal([written, null, null], refreshed.Select(u => u.Standing));
        // a redelivery that finds its first delivery's standings writes nothing again
        Assert.Null(ShardAssignment.Decide(refreshed[0], Cutoffs, Classifier, AsOf).Change);
    }

    private static readonly Gen<RfmValues> AnyValues = Gen.Frequency(
        (1, Gen.Constant(RfmValues.NoHistory)),
        (6, from r in Gen.Choose(0, 400) from f in Gen.Choose(1, 90) from m in Gen.Choose(0, 30_000) select new RfmValues(true, r, f, m)));

    private static readonly Gen<RfmStanding?> AnyStanding = Gen.OneOf(
        Gen.Constant<RfmStanding?>(null),
        from r in Gen.Choose(1, 5) from f in Gen.Choose(1, 5) from m in Gen.Choose(1, 5) from tier in Gen.Elements(Classifier.Tiers.ToArray())
        select (RfmStanding?)new RfmStanding(new RfmScores(r, f, m), tier, null));

    [Property(MaxTest = 200)]
    public Property Of_AppliedChanges_ASecondPassOnTheSameValuesChangesNothing() =>
        Prop.ForAll(
            Arb.From(from users in Gen.Zip(AnyValues, AnyStanding).ArrayOf() select users),
            users =>
            {
                var snapshot = users.Select((u, i) => User(u.Item1, u.Item2, $"u{i}", AsOf.AddDays(-i))).ToArray();
                var first = ShardAssignment.Of(snapshot, Cutoffs, Classifier, AsOf);
                var written = first.Changes.ToDictionary(c => c.UserId, c => (RfmStanding?)new RfmStanding(c.Scores, c.Tier, c.TierSince));

                var second = ShardAssignment.Of(ShardAssignment.WithStoredStandings(snapshot, written), Cutoffs, Classifier, AsOf);

                Assert.Empty(second.Changes);
                Assert.Empty(second.Transitions);
                Assert.Equal(first.TierCounts, second.TierCounts);
                // a transition is exactly a write whose tier differs from the old one
                Assert.Equal(first.Changes.Where(c => c.TierSince is not null).Select(c => c.UserId), first.Transitions.Select(t => t.UserId));
            });
}
