using Engagement.Activity;
using Engagement.Ingest;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.IntegrationTests.Activity;

/// <summary>
/// Two engines (two DI containers, two sets of storage clients: two "instances") over one Azurite,
/// ingesting purchases of one user at the same time (the single-entity conditional write), and a
/// stale cached copy inside a batch (Azurite 3.35 enforces If-Match there: AzuriteBatchTests).
/// This engine keeps the system clock: the handler's conflict back-off waits on the engine's clock.
/// </summary>
public sealed class ConcurrentIngestTests : IAsyncLifetime, IDisposable
{
    private readonly FaultingLoggerProvider _conflicts = new("LogConflict", times: 0);
    private LocalEngine _first = null!;
    private LocalEngine _second = null!;

    public async Task InitializeAsync()
    {
        void CountConflicts(IServiceCollection s) => s.AddLogging(b => b.ClearProviders().AddProvider(_conflicts));
        // these tests count the users table's requests: activity earns no points here (the points follow-up has its own tests)
        var noPoints = new Dictionary<string, string?> { ["Points:Earn:Login"] = "0", ["Points:Earn:Interaction"] = "0", ["Points:Earn:Purchase"] = "0" };
        _first = await TestEngine.StartAsync(configureServices: CountConflicts, logLevel: LogLevel.Debug, settings: noPoints);
        _second = await TestEngine.StartAsync(configureServices: CountConflicts, logLevel: LogLevel.Debug, existingStorage: _first.Azurite!.ConnectionString, settings: noPoints);
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
    }

    public void Dispose() => _conflicts.Dispose();

    [Fact]
    public async Task IngestAsync_ConcurrentPurchasesOfOneUser_NoUpdateIsLost()
    {
        const string user = "race-1";
        var calendar = _first.Get<ActivityCalendar>();
        var at = TimeProvider.System.GetUtcNow().AddHours(-1);
        var day = calendar.DayOf(at);
        var handlers = new[] { _first.Get<ActivityIngestHandler>(), _second.Get<ActivityIngestHandler>() };

        // round 1 races to create the user; round 2 races to update an existing one
        long expected = 0;
        for (var round = 0; round < 2; round++)
        {
            var tasks = Enumerable.Range(0, 20).Select(i =>
            {
                var amount = 100L * (round * 20 + i + 1);
                expected += amount;
                var e = new ActivityEvent($"race-1-r{round}-p{i}", user, ActivityType.Purchase, amount, null, at.AddSeconds(i));
                return Task.Run(() => handlers[i % 2].IngestAsync([e], TestEngine.Deadline()));
            }).ToList();
            await Task.WhenAll(tasks);

            var created = tasks.Sum(t => t.Result.UsersCreated);
            Assert.Equal(round == 0 ? 1 : 0, created);
            Assert.Equal(round == 0 ? 19 : 20, tasks.Sum(t => t.Result.UsersChanged));
        }

        Assert.True(_conflicts.Matched > 0, "no write conflict happened: the test did not exercise the ETag path");
        var stored = await _first.Get<UserStore>().GetAsync(user, TestEngine.Deadline());
        Assert.NotNull(stored);
        Assert.Equal(40, stored.Activity.Purchases.Count);
        Assert.Equal(expected, stored.Activity.SpendIn(day + 1, 3));
    }

    [Fact]
    public async Task IngestAsync_CachedCopyWentStale_ConflictIsDetectedAndNothingIsLost()
    {
        const string user = "stale-1";
        var at = TimeProvider.System.GetUtcNow().AddHours(-1);
        var calendar = _first.Get<ActivityCalendar>();
        ActivityEvent Purchase(int i) => new($"stale-1-p{i}", user, ActivityType.Purchase, 100L * i, null, at.AddSeconds(i));

        await _first.Get<ActivityIngestHandler>().IngestAsync([Purchase(1)], TestEngine.Deadline()); // cached by the first instance
        await _second.Get<ActivityIngestHandler>().IngestAsync([Purchase(2)], TestEngine.Deadline()); // the cached copy is now stale
        Assert.Equal(0, _conflicts.Matched);

        await _first.Get<ActivityIngestHandler>().IngestAsync([Purchase(3)], TestEngine.Deadline());

        Assert.Equal(1, _conflicts.Matched); // the write on the stale ETag was refused, then re-read
        var stored = await _first.Get<UserStore>().GetAsync(user, TestEngine.Deadline());
        Assert.NotNull(stored);
        Assert.Equal(3, stored.Activity.Purchases.Count);
        Assert.Equal(600, stored.Activity.SpendIn(calendar.DayOf(at) + 1, 3));
    }

    [Fact]
    public async Task IngestAsync_StaleCachedCopyInABatch_RetryReReadsOnlyTheCachedUsers()
    {
        // two users of one shard: one cached by the first instance and then written by the second, one never seen
        var shards = _first.Get<Storage.UserShards>();
        var ids = Enumerable.Range(0, 200).Select(i => $"batch-stale-{i}").ToList();
        var cached = ids[0];
        var fresh = ids.Skip(1).First(id => shards.Of(id) == shards.Of(cached));
        var at = TimeProvider.System.GetUtcNow().AddHours(-1);
        var calendar = _first.Get<ActivityCalendar>();
        ActivityEvent Purchase(string user, int i) => new($"{user}-p{i}", user, ActivityType.Purchase, 100L * i, null, at.AddSeconds(i));

        await _first.Get<ActivityIngestHandler>().IngestAsync([Purchase(cached, 1)], TestEngine.Deadline());
        await _second.Get<ActivityIngestHandler>().IngestAsync([Purchase(cached, 2), Purchase(fresh, 1)], TestEngine.Deadline());
        var before = _conflicts.Matched;

        using var scope = Storage.StorageRequestCounter.BeginScope();
        await _first.Get<ActivityIngestHandler>().IngestAsync([Purchase(cached, 3), Purchase(fresh, 2)], TestEngine.Deadline());

        // read the new one, the batch refused on the stale ETag, read the cached one again (only it), the batch
        Assert.Equal(before + 1, _conflicts.Matched);
        Assert.Equal(4, scope.Count);
        var store = _first.Get<UserStore>();
        Assert.Equal(600, (await store.GetAsync(cached, TestEngine.Deadline()))!.Activity.SpendIn(calendar.DayOf(at) + 1, 3));
        Assert.Equal(300, (await store.GetAsync(fresh, TestEngine.Deadline()))!.Activity.SpendIn(calendar.DayOf(at) + 1, 3));
    }

    [Fact]
    public async Task IngestAsync_AfterTheNightlyWroteTheStanding_TheCachedCopyFollowsIt_NoReadNoConflict()
    {
        var handler = _first.Get<ActivityIngestHandler>();
        var at = TimeProvider.System.GetUtcNow().AddHours(-1);
        await handler.IngestAsync([new ActivityEvent("night-1-a", "night-1", ActivityType.Login, 0, null, at)], TestEngine.Deadline());
        var conflicts = _conflicts.Matched;

        // the user's first standing: the nightly merges it on the row the ingest just wrote (and cached)
        await LocalNightly.RunAsync(_first, _first.Get<ActivityCalendar>().DateOf(at), Engagement.Segmentation.NightlyStartMode.StartOrResume, null, TestEngine.Deadline());
        Assert.NotNull((await _first.Get<UserStore>().GetAsync("night-1", TestEngine.Deadline()))!.Standing);

        using var scope = Storage.StorageRequestCounter.BeginScope();
        await handler.IngestAsync([new ActivityEvent("night-1-b", "night-1", ActivityType.Interaction, 0, "fitness", at)], TestEngine.Deadline());

        Assert.Equal(1, scope.Count); // the conditional write only: the cached copy took the nightly's ETag
        Assert.Equal(conflicts, _conflicts.Matched);
        var stored = await _first.Get<UserStore>().GetAsync("night-1", TestEngine.Deadline());
        Assert.Contains("fitness", stored!.Activity.Categories);
        Assert.NotNull(stored.Standing); // the ingest's merge left the standing alone
    }

    [Fact]
    public async Task IngestAsync_UserSeenAgain_CostsNoRead()
    {
        var at = TimeProvider.System.GetUtcNow().AddHours(-1);
        var handler = _first.Get<ActivityIngestHandler>();
        await handler.IngestAsync([new ActivityEvent("seen-1-a", "seen-1", ActivityType.Login, 0, null, at)], TestEngine.Deadline());

        using var scope = Storage.StorageRequestCounter.BeginScope();
        await handler.IngestAsync([new ActivityEvent("seen-1-b", "seen-1", ActivityType.Interaction, 0, "fitness", at)], TestEngine.Deadline());

        Assert.Equal(1, scope.Count); // the conditional write only
        var stored = await _first.Get<UserStore>().GetAsync("seen-1", TestEngine.Deadline());
        Assert.Contains("fitness", stored!.Activity.Categories);
    }
}
