using Engagement.Segmentation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Segmentation;

/// <summary>The nightly run's phase decisions and cut-offs, without storage.</summary>
public class NightlyPhasesTests
{
    private const int Shards = 16;
    private static readonly DateOnly AsOf = new(2026, 3, 31);
    private static readonly DateTimeOffset Started = new(2026, 3, 31, 18, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Started.AddMinutes(3);
    private static readonly TierClassifier Classifier = new(new SegmentationOptions());

    private static NightlyRunHeader Header(string runId, string phase) => new(runId, AsOf, phase, Shards, Started);

    /// <summary>A known population (fixed seed): ties, users without history, a spread of spend.</summary>
    private static RfmValues[] Population(int users, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, users).Select(_ => random.Next(10) == 0
            ? RfmValues.NoHistory
            : new RfmValues(true, random.Next(0, 400), random.Next(1, 91), random.Next(4) == 0 ? 0 : random.Next(1, 500_000)))];
    }

    private static SnapshotUser User(int i, RfmValues values) => new($"u{i}", values, null, null);

    /// <summary>The population split over shards by index, as each shard's stats phase would report it.</summary>
    private static List<ShardStats> ShardReports(RfmValues[] population, int shards) =>
        [.. Enumerable.Range(0, shards).Select(s => ShardStats.Of(population.Select((v, i) => User(i, v)).Where((_, i) => i % shards == s)))];

    [Fact]
    public void Start_NoRunForTheDate_CreatesTheFirstAttemptInStats()
    {
        var start = NightlyPhases.Start([], AsOf, NightlyStartMode.StartOrResume, Shards, Started);

        Assert.Equal(NightlyStartAction.Create, start.Action);
        Assert.Equal(new NightlyRunHeader("2026-03-31", AsOf, NightlyPhase.Stats, Shards, Started), start.Run);
        Assert.Null(start.Run.Cutoffs);
    }

    [Theory]
    [InlineData(NightlyPhase.Stats)]
    [InlineData(NightlyPhase.Assign)]
    public void Start_StartOrResume_UnfinishedRun_ResumesItInItsPhase(string phase)
    {
        var unfinished = Header("2026-03-31", phase);

        var start = NightlyPhases.Start([unfinished], AsOf, NightlyStartMode.StartOrResume, Shards, Later);

        Assert.Equal(new NightlyStart(NightlyStartAction.Resume, unfinished), start);
    }

    [Fact]
    public void Start_StartOrResume_DayAlreadyDone_DoesNothing()
    {
        var done = Header("2026-03-31.2", NightlyPhase.Complete);

        var start = NightlyPhases.Start([Header("2026-03-31", NightlyPhase.Complete), done], AsOf, NightlyStartMode.StartOrResume, Shards, Later);

        Assert.Equal(new NightlyStart(NightlyStartAction.None, done), start);
    }

    [Fact]
    public void Start_NewAttempt_AfterTwoAttempts_CreatesTheThird()
    {
        // attempts come back in key order, where ".10" sorts before ".2": the number decides
        var start = NightlyPhases.Start(
            [Header("2026-03-31", NightlyPhase.Complete), Header("2026-03-31.10", NightlyPhase.Complete), Header("2026-03-31.2", NightlyPhase.Assign)],
            AsOf, NightlyStartMode.NewAttempt, Shards, Later);

        Assert.Equal(NightlyStartAction.Create, start.Action);
        Assert.Equal(new NightlyRunHeader("2026-03-31.11", AsOf, NightlyPhase.Stats, Shards, Later), start.Run);
    }

    [Theory]
    [InlineData(1, "2026-03-31")]
    [InlineData(2, "2026-03-31.2")]
    [InlineData(12, "2026-03-31.12")]
    public void RunIdOf_Attempt_RoundTripsThroughAttemptOf(int attempt, string runId)
    {
        Assert.Equal(runId, NightlyPhases.RunIdOf(AsOf, attempt));
        Assert.Equal(attempt, NightlyPhases.AttemptOf(runId));
    }

    [Fact]
    public void Latest_RunsOfSeveralDates_IsTheLastAttemptOfTheLastDate()
    {
        var latest = new NightlyRunHeader("2026-04-01.2", AsOf.AddDays(1), NightlyPhase.Stats, Shards, Later);

        Assert.Same(latest, NightlyPhases.Latest([Header("2026-03-31.3", NightlyPhase.Complete), latest, new NightlyRunHeader("2026-04-01", AsOf.AddDays(1), NightlyPhase.Complete, Shards, Started)]));
        Assert.Null(NightlyPhases.Latest([]));
    }

    [Theory]
    [InlineData(NightlyPhase.Stats, NightlyPhase.Assign, true)]
    [InlineData(NightlyPhase.Assign, NightlyPhase.Complete, true)]
    [InlineData(NightlyPhase.Stats, NightlyPhase.Complete, false)]
    [InlineData(NightlyPhase.Assign, NightlyPhase.Stats, false)]
    [InlineData(NightlyPhase.Complete, NightlyPhase.Assign, false)]
    [InlineData(NightlyPhase.Complete, NightlyPhase.Complete, false)]
    [InlineData(NightlyPhase.Stats, NightlyPhase.Stats, false)]
    public void IsAllowedMove_OnlyOnePhaseForward(string from, string to, bool allowed)
    {
        Assert.Equal(allowed, NightlyPhases.IsAllowedMove(from, to));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(Shards - 1, false)]
    [InlineData(Shards, true)]
    public void AllReported_MovesOnOnlyWhenEveryShardReported(int reported, bool all)
    {
        Assert.Equal(all, NightlyPhases.AllReported(reported, Shards));
    }

    [Theory]
    [InlineData(NightlyPhase.Stats, false, StatsReportedAction.Advance)]
    [InlineData(NightlyPhase.Stats, true, StatsReportedAction.Advance)]
    [InlineData(NightlyPhase.Assign, true, StatsReportedAction.EnsureAssignSent)] // maybe our first delivery advanced and crashed before the fan-out
    [InlineData(NightlyPhase.Assign, false, StatsReportedAction.None)] // another shard advanced it
    [InlineData(NightlyPhase.Complete, false, StatsReportedAction.None)] // a late duplicate of a finished phase
    [InlineData(NightlyPhase.Complete, true, StatsReportedAction.None)]
    public void AfterStatsReported_ByTheHeadersPhase(string phase, bool redelivered, StatsReportedAction expected)
    {
        Assert.Equal(expected, NightlyPhases.AfterStatsReported(Header("2026-03-31", phase), redelivered));
    }

    [Fact]
    public void Advance_StatsRun_MovesToAssignWithTheCutoffsAndTheCountsOfEveryShard()
    {
        var population = Population(3_000, seed: 7);
        var stats = ShardReports(population, Shards);
        var header = Header("2026-03-31", NightlyPhase.Stats);

        var advanced = NightlyPhases.Advance(header, stats, Later);

        Assert.True(NightlyPhases.IsAllowedMove(header.Phase, advanced.Phase));
        Assert.Equal(NightlyPhase.Assign, advanced.Phase);
        Assert.Equal(RfmBatchScorer.Score(population, Classifier).Cutoffs, advanced.Cutoffs);
        Assert.Equal(3_000, advanced.Users);
        Assert.Equal(population.Count(v => v.HasHistory), advanced.ScoredUsers);
        Assert.Equal(Later, advanced.AssignStartedAt);
        Assert.Equal((header.RunId, header.AsOf, header.Shards, header.StartedAt), (advanced.RunId, advanced.AsOf, advanced.Shards, advanced.StartedAt));
        Assert.Null(advanced.CompletedAt);
        Assert.Null(advanced.TierCounts);
    }

    [Theory]
    [InlineData(NightlyPhase.Assign)]
    [InlineData(NightlyPhase.Complete)]
    public void Advance_RunNotInStats_Throws(string phase)
    {
        Assert.Throws<InvalidOperationException>(() => NightlyPhases.Advance(Header("2026-03-31", phase), [], Later));
    }

    [Fact]
    public void Complete_AssignRun_AddsUpTheShardsResults()
    {
        var header = Header("2026-03-31", NightlyPhase.Assign) with { Users = 5, ScoredUsers = 4, AssignStartedAt = Started.AddMinutes(1) };
        ShardResult[] results =
        [
            new(3, 2, 1, new Dictionary<string, long> { ["high-value"] = 1, ["dormant"] = 2 }) { Requests = 7 },
            new(2, 0, 0, new Dictionary<string, long> { ["high-value"] = 0, ["potential"] = 2 }) { Requests = 5 },
        ];

        var completed = NightlyPhases.Complete(header, results, statsRequests: 11, Later);

        Assert.True(NightlyPhases.IsAllowedMove(header.Phase, completed.Phase));
        Assert.True(completed.IsComplete);
        Assert.Equal(Later, completed.CompletedAt);
        Assert.Equal([KeyValuePair.Create("high-value", 1L), KeyValuePair.Create("dormant", 2L), KeyValuePair.Create("potential", 2L)], completed.TierCounts!);
        Assert.Equal((2L, 1L, 23L), (completed.ChangedUsers!.Value, completed.Transitions!.Value, completed.StorageRequests!.Value));
        Assert.Equal((5L, 4L, Started.AddMinutes(1)), (completed.Users!.Value, completed.ScoredUsers!.Value, completed.AssignStartedAt!.Value));
    }

    [Theory]
    [InlineData(NightlyPhase.Stats, false)]
    [InlineData(NightlyPhase.Assign, true)]
    [InlineData(NightlyPhase.Complete, false)] // a duplicate result after completion changes nothing
    public void CanComplete_OnlyARunInAssign(string phase, bool can)
    {
        Assert.Equal(can, NightlyPhases.CanComplete(Header("2026-03-31", phase)));
        if (!can)
        {
            Assert.Throws<InvalidOperationException>(() => NightlyPhases.Complete(Header("2026-03-31", phase), [], 0, Later));
        }
    }

    [Fact]
    public void Summary_NewRun_ReadsZeroForWhatLaterPhasesAdd()
    {
        var summary = Header("2026-03-31", NightlyPhase.Stats).Summary(shardsReported: 3);

        Assert.Equal(new NightlyRunSummary("2026-03-31", AsOf, NightlyPhase.Stats, Shards, 3, Started, null, null, null, summary.TierCounts, 0, 0, 0, 0, 0), summary);
        Assert.Empty(summary.TierCounts);
        Assert.False(summary.IsComplete);
    }

    [Fact]
    public void Work_AssignCarriesTheCutoffs_StatsCarriesNone()
    {
        var cutoffs = NightlyPhases.Cutoffs(ShardReports(Population(500, seed: 3), 4));

        var assign = NightlyPhases.Work("2026-03-31", AsOf, NightlyPhase.Assign, ["s01", "s02"], cutoffs, "00-trace").ToList();
        var stats = Assert.Single(NightlyPhases.Work("2026-03-31", AsOf, NightlyPhase.Stats, ["s03"], null, null));

        Assert.Equal(["s01", "s02"], assign.Select(w => w.Shard));
        Assert.All(assign, w => Assert.Equal(cutoffs, NightlyPhases.CarriedCutoffs(w)));
        Assert.All(assign, w => Assert.Equal(("2026-03-31", AsOf, "00-trace"), (w.RunId, w.AsOf, w.TraceParent)));
        Assert.Null(stats.Cutoffs);
        Assert.Null(NightlyPhases.CarriedCutoffs(stats));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public void Cutoffs_OfAKnownPopulationSplitOverShards_EqualTheWholePopulationsCutoffs(int shards)
    {
        var population = Population(5_000, seed: 42);
        var history = population.Where(v => v.HasHistory).ToArray();
        var whole = RfmCutoffs.From(
            ValueHistogram.FromValues(history.Select(v => v.RecencyDays).ToArray()),
            ValueHistogram.FromValues(history.Select(v => v.Frequency).ToArray()),
            ValueHistogram.FromValues(history.Select(v => v.MonetaryMinor).ToArray()));
        // the histograms as stored and read back (delta varints)
        var reports = ShardReports(population, shards)
            .Select(s => s with { R = ValueHistogram.FromBytes(s.R.ToBytes()), F = ValueHistogram.FromBytes(s.F.ToBytes()), M = ValueHistogram.FromBytes(s.M.ToBytes()) })
            .ToList();

        var cutoffs = NightlyPhases.Cutoffs(reports);

        Assert.Equal(whole, cutoffs);
        Assert.Equal(RfmBatchScorer.Score(population, Classifier).Cutoffs, cutoffs);
        Assert.Equal(population.Length, reports.Sum(r => r.Users));
        Assert.Equal(history.Length, reports.Sum(r => r.Scored));
    }

    [Property(MaxTest = 200)]
    public Property Cutoffs_ShardsMergedInAnyOrder_AreTheSame() =>
        Prop.ForAll(
            Arb.From(from n in Gen.Choose(0, 300)
                     from seed in Gen.Choose(0, 10_000)
                     from shards in Gen.Choose(1, 8)
                     from order in Gen.Shuffle(Enumerable.Range(0, shards))
                     select (Population: Population(n, seed), Shards: shards, Order: order)),
            t =>
            {
                var reports = ShardReports(t.Population, t.Shards);

                var inOrder = NightlyPhases.Cutoffs(reports);
                var shuffled = NightlyPhases.Cutoffs([.. t.Order.Select(i => reports[i])]);

                Assert.Equal(inOrder, shuffled);
                Assert.Equal(RfmBatchScorer.Score(t.Population, Classifier).Cutoffs, inOrder);
            });
}
