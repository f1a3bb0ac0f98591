using System.Text.Json;
using Engagement.Activity;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>NightlyTimer with a bound TimerInfo and NightlyShard with bound QueueMessages; each test has its own app (runs are per date).</summary>
public sealed class NightlyFunctionTests : IAsyncLifetime
{
    private const string RunId = "2026-11-30"; // FunctionApp.Yesterday: the last complete day in Shanghai
    private FunctionApp _app = null!;

    public async Task InitializeAsync() => _app = await FunctionApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task FireTimerAsync(bool isPastDue) =>
        _app.InvokeAsync<NightlyFunctions>(nameof(NightlyFunctions.NightlyTimer), (f, c) => f.NightlyTimer(new TimerInfo { IsPastDue = isPastDue }, c.CancellationToken));

    private async Task<List<NightlyShardWork>> QueuedWorkAsync() =>
        (await _app.PeekAsync(QueueNames.NightlyShards)).Select(b => JsonSerializer.Deserialize<NightlyShardWork>(b, JsonSerializerOptions.Web)!).ToList();

    private List<RecordedLogs.Entry> PastDueWarnings() =>
        _app.Logs.Entries.Where(e => e.Category == typeof(NightlyFunctions).FullName && e.Level == LogLevel.Warning && e.Message.Contains("past due", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task NightlyTimer_OnSchedule_StartsYesterdaysRunAndEnqueuesOneStatsMessagePerShard()
    {
        await FireTimerAsync(isPastDue: false);

        var run = await _app.Get<NightlyJob>().ReadSummaryAsync(RunId, FunctionApp.Deadline());
        Assert.NotNull(run);
        Assert.Equal((FunctionApp.Yesterday, NightlyPhase.Stats), (run.AsOf, run.Phase));
        var work = await QueuedWorkAsync();
        Assert.All(work, w => Assert.Equal((RunId, FunctionApp.Yesterday, NightlyPhase.Stats), (w.RunId, w.AsOf, w.Phase)));
        Assert.Equal(_app.Get<UserShards>().All.Order(StringComparer.Ordinal), work.Select(w => w.Shard).Order(StringComparer.Ordinal));
        Assert.Empty(PastDueWarnings());
    }

    [Fact]
    public async Task NightlyTimer_PastDueAndFiredTwice_StartsExactlyOneRunForTheDay()
    {
        await FireTimerAsync(isPastDue: true);
        await FireTimerAsync(isPastDue: true);

        var job = _app.Get<NightlyJob>();
        Assert.Equal(RunId, (await job.LatestAsync(FunctionApp.Deadline()))?.RunId);
        Assert.Null(await job.ReadSummaryAsync(RunId + ".2", FunctionApp.Deadline())); // no second attempt
        // the second firing resumes the unfinished run: whatever it re-enqueues is that run's
        var work = await QueuedWorkAsync();
        Assert.All(work, w => Assert.Equal(RunId, w.RunId));
        Assert.Equal(_app.Get<UserShards>().All.Order(StringComparer.Ordinal), work.Select(w => w.Shard).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(2, PastDueWarnings().Count);
    }

    /// <summary><paramref name="active"/> users who bought on a few of the last days (spread, so the quintiles differ) and <paramref name="inactive"/> without history.</summary>
    private static IEnumerable<UserRecord> Population(int active, int inactive)
    {
        for (var i = 0; i < active + inactive; i++)
        {
            var user = new UserRecord { UserId = $"nf-{i:D2}", Profile = new UserProfile { TimeZone = "Asia/Shanghai", Source = "test" } };
            for (var d = 0; i < active && d <= i % 7; d++)
            {
                var day = FunctionApp.Yesterday.AddDays(-(i % 5) - (3 * d));
                user.Activity.Apply(new ActivityEvent($"nf-{i}-{d}", user.UserId, ActivityType.Purchase, 100 * (i + 1), null, new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8))), day.DayNumber);
            }

            yield return user;
        }
    }

    [Fact]
    public async Task NightlyShard_TheRunsMessages_AdvanceItToCompleteAndTierEveryUser()
    {
        await _app.Get<UserStore>().ReplaceAsync(Population(active: 20, inactive: 2), 4, FunctionApp.Deadline());
        await FireTimerAsync(isPastDue: false);

        var handled = await _app.DrainAsync(QueueNames.NightlyShards, nameof(NightlyFunctions.NightlyShard));

        Assert.Equal(2 * FunctionApp.Shards, handled); // a stats and an assign message per shard
        var run = await _app.Get<NightlyJob>().ReadSummaryAsync(RunId, FunctionApp.Deadline());
        Assert.NotNull(run);
        Assert.True(run.IsComplete, $"run is in phase {run.Phase}");
        Assert.Equal((22L, 20L), (run.Users, run.ScoredUsers));
        Assert.Equal(22, run.TierCounts.Values.Sum());
        await foreach (var user in _app.Get<UserStore>().ScanAsync(FunctionApp.Deadline()))
        {
            Assert.NotNull(user.Standing);
        }
    }

    [Fact]
    public async Task NightlyShard_FailingMessage_IsRethrownForRedeliveryUntilTheLastDelivery_ThenDeadLettered()
    {
        await FireTimerAsync(isPastDue: false);
        // an assign message without cut-offs while the run is still in stats: not bad input, just too early
        var body = JsonSerializer.Serialize(new NightlyShardWork(RunId, FunctionApp.Yesterday, NightlyPhase.Assign, _app.Get<UserShards>().All[0]), JsonSerializerOptions.Web);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _app.TriggerAsync(nameof(NightlyFunctions.NightlyShard), FunctionApp.Message(body, dequeueCount: 1)));
        Assert.Empty(await _app.PeekAsync(QueueNames.Poison(QueueNames.NightlyShards)));

        var last = FunctionApp.Message(body, dequeueCount: 5); // host.json maxDequeueCount
        await _app.TriggerAsync(nameof(NightlyFunctions.NightlyShard), last);
        Assert.Equal([body], await _app.PeekAsync(QueueNames.Poison(QueueNames.NightlyShards)));
        var row = Assert.Single(await _app.ErrorRowsAsync(QueueNames.NightlyShards));
        Assert.Equal((last.MessageId, 5L), (row.GetString("MessageId"), row.GetInt64("DequeueCount")));
        Assert.StartsWith("failed 5 deliveries", row.GetString("Error"), StringComparison.Ordinal);
    }
}
