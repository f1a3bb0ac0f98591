using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Content;
using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Engagement.IntegrationTests.Content;

/// <summary>
/// What a weekly content run costs in table and queue round-trips on Azurite (issue 13's benchmark line, at a test's
/// size): one pass over the tier, the columns and picks written 100 a request, one campaign per item handed off and
/// planned in process; and a timer firing again once the run is done costs one read.
/// </summary>
public sealed class ContentWeeklyCostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Regular = 3_000;
    private const int Others = 1_000;
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 2, 5, 0, TimeSpan.Zero);
    private static readonly string[] Categories = ["fitness", "recipes", "travel", "games", "music", "beauty"];

    private LocalEngine _engine = null!;

    public async Task InitializeAsync() =>
        _engine = await TestEngine.StartAsync(new StoppedClock(Monday), s => s.AddSingleton<IChannelSender>(new RecordingSender(Channels.Push)));

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    /// <summary>Users written straight into their shard partitions, 100 a transaction: profile, tier and an interest profile each.</summary>
    private async Task SeedAsync()
    {
        var options = new ContentPickOptions();
        var shards = _engine.Get<UserShards>();
        var table = await _engine.Get<StorageClients>().TableAsync(TableNames.Users);
        var rows = Enumerable.Range(0, Regular + Others).Select(i =>
        {
            var id = $"u{i:00000}";
            var profile = InterestProfile.Empty
                .Add(ActivityType.Purchase, Categories[i % Categories.Length], Monday.AddDays(-(i % 20)), options)
                .Add(ActivityType.Interaction, Categories[(i / 7) % Categories.Length], Monday.AddDays(-1), options);
            return new TableEntity(shards.Of(id), id)
            {
                [UserEntity.TimeZone] = "Asia/Shanghai",
                [UserEntity.PushToken] = "tok-" + id,
                [UserEntity.ConsentPush] = true,
                [UserEntity.ConsentInApp] = true,
                [UserEntity.Tier] = i < Regular ? "regular" : "potential",
                [UserEntity.InterestWeights] = profile.Format(),
            };
        });
        await Parallel.ForEachAsync(rows.GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(100)), TestEngine.Deadline(), async (batch, ct) =>
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct));

        ContentItem Item(int i) => new($"item-{i:000}", "title " + i, "body " + i, "app://content/" + i, [Categories[i % Categories.Length]], [], "zh-CN", Monday.AddDays(-30), null, i % 3);
        await _engine.Get<ContentStore>().UpsertAsync([.. Enumerable.Range(0, 60).Select(Item)], TestEngine.Deadline());
    }

    [Fact]
    public async Task WeeklyRun_RoundTripsPerThousandUsers_AndADoneRunCostsOneRead()
    {
        await SeedAsync();
        var run = _engine.Get<ContentWeeklyRun>();

        ContentRunResult result;
        long requests;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var scope = StorageRequestCounter.BeginScope())
        {
            result = await run.RunDueAsync(TestEngine.Deadline());
            requests = scope.Count;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        long again;
        using (var scope = StorageRequestCounter.BeginScope())
        {
            Assert.Equal(Engagement.Playbooks.PlaybookStartOutcomes.AlreadyStarted, (await run.RunDueAsync(TestEngine.Deadline())).Outcome);
            again = scope.Count;
        }

        var perThousand = requests * 1000.0 / Regular;
        output.WriteLine($"{Regular} regular users ({Others} others): {result.Picked} picked, {result.HeldOut} held out, {result.Campaigns} campaigns; {requests} requests ({perThousand:F1} per 1,000 users, hand-off and planning included), {seconds:F1} s; a done run: {again}");
        Assert.Equal(Regular, result.Picked + result.HeldOut + result.NoPick);
        Assert.Equal(1, again);
        Assert.True(perThousand < 150, $"{perThousand:F1} round-trips per 1,000 users");
    }
}
