using Engagement.Segmentation;
using Microsoft.Extensions.Options;

namespace Engagement.IntegrationTests.Segmentation;

public sealed class NightlyTests(NightlyFixture fixture) : IClassFixture<NightlyFixture>
{
    private static readonly DateOnly AsOf = NightlyFixture.AsOf;

    [Fact]
    public async Task FirstRun_CompletesAndGivesEveryUserATier()
    {
        var run = fixture.FirstRun;
        Assert.True(run.IsComplete);
        Assert.Equal("2026-03-31", run.RunId);
        Assert.Equal(TestEngine.Shards, run.Shards);
        Assert.Equal(TestEngine.Shards, run.ShardsReported);
        Assert.Equal(NightlyFixture.Users, run.Users);
        Assert.Equal(NightlyFixture.Users, run.TierCounts.Values.Sum());
        Assert.Equal(NightlyFixture.Users, run.ChangedUsers); // everyone is new
        Assert.Equal(NightlyFixture.Users, run.Transitions);
        Assert.NotNull(run.Cutoffs);

        var users = await Population.ScanAsync(fixture.Engine);
        Assert.Equal(NightlyFixture.Users, users.Count);
        Assert.All(users, u =>
        {
            Assert.NotNull(u.Standing);
            Assert.Equal("2026-03-31", u.Standing.TierSince);
        });
        var stored = users.GroupBy(u => u.Standing!.Tier).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(stored.OrderBy(kv => kv.Key), run.TierCounts.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key));

        // the demo population lands on the playbook's shares
        foreach (var rule in fixture.Engine.Get<IOptions<SegmentationOptions>>().Value.Rules)
        {
            var share = (double)run.TierCounts.GetValueOrDefault(rule.Tier) / NightlyFixture.Users;
            Assert.True(Math.Abs(share - rule.TargetShare!.Value) <= 0.03, $"{rule.Tier}: {share:P1}, target {rule.TargetShare:P0}");
        }

        // one first-tier transition per user, to the tier they hold
        var movements = await fixture.Engine.Get<TierTransitionLog>().MovementsAsync(AsOf, TestEngine.Deadline());
        Assert.Equal(NightlyFixture.Users, movements.Values.Sum());
        Assert.All(movements.Keys, k => Assert.Equal("", k.From));
        Assert.Equal(stored.OrderBy(kv => kv.Key), movements.Select(kv => KeyValuePair.Create(kv.Key.To, kv.Value)).OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task StoredScores_EqualTheExactInMemoryScoring()
    {
        // the distributed two-pass run (per-shard histograms merged into cut-offs) equals sorting everyone in memory
        var users = await Population.ScanAsync(fixture.Engine);
        var expected = Population.ScoreInMemory(fixture.Engine, users, AsOf);
        Assert.Equal(expected.Cutoffs, fixture.FirstRun.Cutoffs);
        Assert.All(users, u =>
        {
            var (scores, tier) = expected.Standings[u.UserId];
            Assert.Equal(scores, u.Standing!.Scores);
            Assert.Equal(tier, u.Standing.Tier);
        });
        Assert.Equal(expected.TierCounts().OrderBy(kv => kv.Key), fixture.FirstRun.TierCounts.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task ReRun_SameNight_ChangesNothing()
    {
        var rerun = await LocalNightly.RunAsync(fixture.Engine, AsOf, NightlyStartMode.NewAttempt, null, TestEngine.Deadline());

        Assert.True(rerun.IsComplete);
        Assert.NotEqual(fixture.FirstRun.RunId, rerun.RunId);
        Assert.StartsWith("2026-03-31.", rerun.RunId, StringComparison.Ordinal);
        Assert.Equal(TestEngine.Shards, rerun.ShardsReported);
        Assert.Equal(0, rerun.ChangedUsers);
        Assert.Equal(0, rerun.Transitions);
        Assert.Equal(fixture.FirstRun.Cutoffs, rerun.Cutoffs);
        Assert.Equal(fixture.FirstRun.TierCounts.OrderBy(kv => kv.Key), rerun.TierCounts.OrderBy(kv => kv.Key));
        Assert.Equal(fixture.StandingsAfterFirstRun, await Population.StandingsAsync(fixture.Engine));
        Assert.Equal(NightlyFixture.Users, (await fixture.Engine.Get<TierTransitionLog>().MovementsAsync(AsOf, TestEngine.Deadline())).Values.Sum());
    }

    public static TheoryData<string, string> BadShardMessages() => new()
    {
        { """{"runId":"1999-01-01","asOf":"1999-01-01","phase":"stats","shard":"s00"}""", "unknown run '1999-01-01'" },
        { """{"runId":"2026-03-31","asOf":"2026-03-31","phase":"assign","shard":"s99"}""", "unknown shard 's99'" },
        { """{"runId":"2026-03-31","asOf":"2026-03-31","phase":"shuffle","shard":"s01"}""", "unknown phase 'shuffle'" },
        { """{"runId":"2026-03-31","asOf":"2026-03-31","phase":"stats"}""", "needs runId, asOf, phase and shard" },
        { """{"runId":"2026-03-31",""", "invalid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadShardMessages))]
    public async Task ShardMessage_UnknownRunShardOrPhase_IsDeadLettered(string body, string expectedError)
    {
        await TestEngine.SendAsync(fixture.Engine, QueueNames.NightlyShards, body);

        var pumped = await fixture.Engine.Pump().DrainAsync(QueueNames.NightlyShards, null, TestEngine.Deadline());

        Assert.Equal(1, pumped.DeadLettered);
        Assert.Equal(0, pumped.Handled);
        Assert.Equal(0, pumped.Failed);
        await TestEngine.AssertDeadLetteredAsync(fixture.Engine, QueueNames.NightlyShards, body, expectedError);
        Assert.Equal(fixture.StandingsAfterFirstRun, await Population.StandingsAsync(fixture.Engine));
        Assert.Empty(await TestEngine.QueryAsync(fixture.Engine, TableNames.NightlyShards, "PartitionKey eq '1999-01-01'"));
    }
}
