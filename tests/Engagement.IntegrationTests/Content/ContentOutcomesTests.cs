using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Content;
using Engagement.Delivery;
using Engagement.Interactions;
using Engagement.Messaging;
using Engagement.Playbooks;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Content;

/// <summary>
/// A weekly content run's outcome on Azurite with a stopped clock: the treated users open and click through the ingest
/// queue (with the delivery ids of the ledger), the held-out users have interactions of their own, and the outcome
/// counts exactly what was done: once per user, within the attribution window, the holdout on the item's categories.
/// </summary>
public sealed class ContentOutcomesTests : IAsyncLifetime
{
    /// <summary>Monday 7 Dec 2026 02:05 UTC: five minutes after the default schedule's occurrence, week 2026-W50.</summary>
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 2, 5, 0, TimeSpan.Zero);

    private const string RunId = "content-2026-W50";

    private readonly StoppedClock _clock = new(Monday);
    private LocalEngine _engine = null!;

    public async Task InitializeAsync() =>
        _engine = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(new RecordingSender(Channels.Push)),
            settings: new Dictionary<string, string?> { ["Content:Weekly:HoldoutPercent"] = "50" });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task OpensAndClicksThroughTheIngest_AreCountedOncePerUserWithinTheWindow_AgainstTheHoldoutsOrganicInteractions()
    {
        ContentItem Item(string id, params string[] categories) =>
            new(id, "title " + id, "body", "app://content/" + id, categories, [], "zh-CN", Monday.AddDays(-30), null, 1);
        await _engine.Get<ContentStore>().UpsertAsync([Item("fit-1", "fitness"), Item("fit-2", "fitness"), Item("toy-ad", "toys")], TestEngine.Deadline());
        var users = Enumerable.Range(0, 16).Select(i => $"co-{i:D2}").ToArray();
        await Population.SeedRecipientsAsync(_engine, users.Select(u => (u, new UserProfile { TimeZone = "Asia/Shanghai", PushToken = "tok-" + u, ConsentPush = true, ConsentInApp = true, Source = "test" }, "regular")));
        var interests = InterestProfile.Empty.Add(ActivityType.Purchase, "fitness", Monday.AddDays(-7), new ContentPickOptions()).Format();
        var table = await _engine.Get<StorageClients>().TableAsync(TableNames.Users);
        foreach (var u in users)
        {
            await table.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(_engine.Get<UserShards>().Of(u), u) { [UserEntity.InterestWeights] = interests }, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);
        }

        var held = users.Where(u => CampaignPlanner.IsHeldOut(RunId, u, 50)).ToArray();
        var treated = users.Except(held).ToArray();
        Assert.True(treated.Length >= 4 && held.Length >= 3, $"{treated.Length} treated, {held.Length} held out");

        Assert.Equal(PlaybookStartOutcomes.Started, (await _engine.Get<ContentWeeklyRun>().RunDueAsync(TestEngine.Deadline())).Outcome);
        Assert.Equal(0, (await _engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, TestEngine.Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1))).DeadLettered);
        var picks = await _engine.Get<ContentRunStore>().PicksAsync(RunId, TestEngine.Deadline());
        var deliveries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var campaign in picks.Values.Select(p => p.CampaignId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            foreach (var row in (await TestEngine.LedgerAsync(_engine, campaign)).Where(r => r.State == DeliveryStates.Accepted))
            {
                deliveries[row.UserId] = DeliveryKey.IdOf(row.PartitionKey, row.RowKey);
            }
        }

        Assert.Equal(treated.Order(StringComparer.Ordinal), deliveries.Keys.Order(StringComparer.Ordinal));

        // a week and a half later the app reports what the users did
        _clock.Advance(TimeSpan.FromDays(10));
        var sent = Monday; // the stopped clock: every push was accepted at the run's first pass
        Dictionary<string, object?> Content(string id, string user, string type, DateTimeOffset at) =>
            ActivityJson.Content(id, user, type, picks[user].ItemId!, deliveries[user], at);
        var events = ActivityJson.Many(
            Content("e1", treated[0], "content_open", sent.AddHours(1)),
            Content("e2", treated[0], "content_click", sent.AddHours(1).AddMinutes(1)), // opened and clicked: one user
            Content("e3", treated[0], "content_open", sent.AddDays(2)), // opened again: nothing new
            Content("e4", treated[1], "content_click", sent.AddDays(7).AddMinutes(-1)), // a click alone, just inside the window
            Content("e5", treated[2], "content_open", sent.AddDays(7).AddMinutes(1)), // just after it
            ActivityJson.Interaction("e6", held[0], "fitness", Monday.AddDays(1)), // the held-out item's category
            ActivityJson.Interaction("e7", held[1], "toys", Monday.AddDays(1)), // another category
            ActivityJson.Interaction("e8", held[2], "fitness", Monday.AddDays(-1))); // before the run
        await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, events);
        await TestEngine.SendAsync(_engine, QueueNames.ActivityEvents, events); // the queue delivers it twice
        Assert.Equal(0, (await _engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline())).DeadLettered);

        var outcome = await _engine.Get<ContentOutcomes>().OfAsync(RunId, TestEngine.Deadline());

        Assert.NotNull(outcome);
        Assert.Equal((treated.Length, held.Length, treated.Length, 2, 2), (outcome.Picked, outcome.HeldOut, outcome.Sent, outcome.Opened, outcome.Clicked));
        Assert.Equal(new ContentRates(treated.Length, 2, held.Length, 1), outcome.Rates);
        var category = Assert.Single(outcome.PerCategory);
        Assert.Equal(("fitness", outcome.Rates), category);
        Assert.Equal((treated.Length, 2, 0, 0), (outcome.SentMatching, outcome.OpenedMatching, outcome.SentOther, outcome.OpenedOther));
        var recent = Assert.Single(await _engine.Get<ContentOutcomes>().RecentAsync(3, TestEngine.Deadline())); // this week's, last week's (none), ...
        Assert.Equal((RunId, outcome.Rates), (recent.RunId, recent.Rates));
    }
}
