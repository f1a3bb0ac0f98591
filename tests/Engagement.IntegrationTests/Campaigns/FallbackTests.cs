using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// A fallback channel on Azurite ("by push, or in-app when there is no push token"): decided at planning from
/// the user row, the preview saying the same; and a trigger listing a few users among thousands reads those users only.
/// </summary>
public sealed class FallbackTests : IAsyncLifetime
{
    // 10:00 in Shanghai: outside quiet hours for push
    private readonly StoppedClock _clock = new(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));
    private readonly RecordingSender _push = new(Channels.Push);
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync(_clock, s => s.AddSingleton<IChannelSender>(_push));
        await Population.SeedRecipientsAsync(_engine,
        [
            ("f-token", Profile("tok-1", consentPush: true), "dormant"),
            ("f-none", Profile(null, consentPush: true), "dormant"),
            ("f-noconsent", Profile("tok-3", consentPush: false), "dormant"),
            ("f-nothing", Profile(null, consentPush: true, consentInApp: false), "dormant"),
        ]);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static UserProfile Profile(string? token, bool consentPush, bool consentInApp = true) =>
        new() { PushToken = token, ConsentPush = consentPush, ConsentInApp = consentInApp, TimeZone = "Asia/Shanghai", Source = "test" };

    private static string Trigger(string id, string audience) => $$"""
        {
          "schemaVersion": 1, "campaignId": "{{id}}", "name": "Wake up",
          "audience": {{audience}},
          "channels": [
            { "channel": "push", "title": "Day 1", "template": "Your plan is waiting" },
            { "channel": "inapp", "title": "Day 1", "template": "Your plan is waiting", "fallback": true }
          ]
        }
        """;

    [Fact]
    public async Task PushOrInApp_TheUserWithAPushTokenGetsPushOnly_TheOthersInApp_AsThePreviewSaid()
    {
        var body = Trigger("wake-1", """{ "tiers": ["dormant"] }""");
        var preview = await _engine.Get<CampaignPreview>().PreviewAsync(_engine.Get<CampaignTriggerParser>().Parse(body), 10, TestEngine.Deadline());

        await TestEngine.RunCampaignAsync(_engine, body);

        Assert.Equal(["f-token"], _push.Sent.Select(m => m.UserId));
        foreach (var (user, inbox) in new[] { ("f-token", 0), ("f-none", 1), ("f-noconsent", 1), ("f-nothing", 0) })
        {
            Assert.Equal(inbox, (await _engine.Get<Inbox>().ListAsync(user, includeExpired: true, TestEngine.Deadline())).Count);
        }

        var ledger = (await TestEngine.LedgerAsync(_engine, "wake-1")).ToDictionary(r => (r.UserId, r.Channel), r => (r.State, r.Reason));
        Assert.Equal((DeliveryStates.Skipped, "reached-by-push"), ledger[("f-token", Channels.InApp)]);
        Assert.Equal((DeliveryStates.Skipped, "no-push-token"), ledger[("f-none", Channels.Push)]);
        Assert.Equal(DeliveryStates.Skipped, ledger[("f-nothing", Channels.InApp)].State); // no channel reaches: the fallback tried, refused by consent

        // the preview's outcome per user and channel is the plan's: skipped for the same reason, or sent
        foreach (var row in preview.Samples)
        {
            var (state, reason) = ledger[(row.UserId, row.Channel)];
            if (row.Outcome == "send")
            {
                Assert.NotEqual(DeliveryStates.Skipped, state);
            }
            else
            {
                Assert.Equal((DeliveryStates.Skipped, row.Reason), (state, reason));
            }
        }

        Assert.Equal(8, preview.Samples.Count);
    }

    [Fact]
    public async Task ListedUsersOnly_AmongThousands_AreReadByPointReads_InIdOrder_GhostsReportedUnknown()
    {
        await _engine.Get<UserStore>().UpsertProfilesAsync(Enumerable.Range(0, 3_000).Select(i => ($"many{i:D4}", Profile("tok", consentPush: true))), 4, TestEngine.Deadline());
        var trigger = _engine.Get<CampaignTriggerParser>().Parse(Trigger("wake-listed", """{ "userIds": ["f-none", "ghost-1"] }"""));

        var shards = new List<AudienceShard>();
        long requests;
        using (var scope = StorageRequestCounter.BeginScope())
        {
            await foreach (var shard in _engine.Get<AudienceReader>().ReadAsync(trigger, AudienceFilter.Columns, TestEngine.Deadline()))
            {
                shards.Add(shard);
            }

            requests = scope.Count;
        }

        Assert.Equal(2, requests); // one point read per listed id; a scan would page through every shard
        Assert.Equal(["f-none"], shards.SelectMany(s => s.Members).Select(m => m.User.RowKey));
        Assert.Equal(["ghost-1"], shards.SelectMany(s => s.UnknownUserIds));

        CampaignPlan plan;
        using (var scope = StorageRequestCounter.BeginScope())
        {
            plan = await _engine.Get<CampaignPlanner>().PlanAsync(trigger, TestEngine.Deadline());
            requests = scope.Count;
        }

        // reads, ledger rows and one chunk for the shards of the listed ids: nothing grows with the population
        Assert.InRange(requests, 2, 8);
        Assert.Equal((1L, 2L, 2L), (plan.Recipients, plan.Planned, plan.Skipped)); // no push token: push is refused at send time, in-app planned
        var ledger = await TestEngine.LedgerAsync(_engine, "wake-listed");
        Assert.Equal(["f-none/inapp/planned", "f-none/push/planned", "ghost-1/inapp/skipped", "ghost-1/push/skipped"],
            ledger.Select(r => $"{r.UserId}/{r.Channel}/{r.State}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListedUsers_ComeInIdOrderInEachShard()
    {
        string[] ids = [.. Enumerable.Range(0, 60).Select(i => $"order{(59 - i) * 7 % 60:D2}")];
        await Population.SeedRecipientsAsync(_engine, ids.Select(id => (id, Profile(null, consentPush: true), "regular")));
        var trigger = _engine.Get<CampaignTriggerParser>().Parse(Trigger("wake-order", $$"""{ "userIds": [{{string.Join(", ", ids.Select(i => $"\"{i}\""))}}] }"""));

        await foreach (var shard in _engine.Get<AudienceReader>().ReadAsync(trigger, AudienceFilter.Columns, TestEngine.Deadline()))
        {
            var members = shard.Members.Select(m => m.User.RowKey).ToList();
            Assert.Equal(members.Order(StringComparer.Ordinal), members);
            Assert.Empty(shard.UnknownUserIds);
        }
    }
}
