using Engagement.Activity;
using Engagement.Delivery;
using Engagement.Ingest;
using Engagement.Interactions;
using Engagement.Messaging;
using Engagement.Users;

namespace Engagement.IntegrationTests.Activity;

/// <summary>
/// Content opens and clicks on Azurite with a stopped clock: each counts once per user and item whatever is replayed,
/// a click alone is an open too, an event naming unknown content or an unknown or foreign delivery is refused (errors
/// table, poison queue) and counts nothing, and marking a content campaign's inbox message read is one open. Each test
/// runs its own content campaign (real ledger and inbox rows, in-app) to its own users.
/// </summary>
public sealed class ContentInteractionTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private static readonly DateTimeOffset Opened = IngestFixture.Now.AddHours(-2);

    private ActivityIngestHandler Handler => fixture.Engine.Get<ActivityIngestHandler>();

    private ContentInteractionStore Interactions => fixture.Engine.Get<ContentInteractionStore>();

    private Task<(string CampaignId, string ItemId, Dictionary<string, string> Deliveries)> SetUpAsync(string prefix) =>
        ContentCampaign.RunAsync(fixture.Engine, prefix, IngestFixture.Now);

    private Task<IngestResult> HandleAsync(string body) =>
        Handler.HandleAsync(new QueueEnvelope(QueueNames.ActivityEvents, Guid.NewGuid().ToString("N"), body, 1), body, TestEngine.Deadline());

    [Fact]
    public async Task OpenAndClick_ReplayedTwice_CountOnceEach()
    {
        var (campaignId, item, deliveries) = await SetUpAsync("ci-replay");
        var body = ActivityJson.Many(
            ActivityJson.Content("ci-replay-o", "ci-replay-u1", "content_open", item, deliveries["ci-replay-u1"], Opened),
            ActivityJson.Content("ci-replay-c", "ci-replay-u1", "content_click", item, deliveries["ci-replay-u1"], Opened.AddMinutes(1)));

        await HandleAsync(body);
        var replayed = await HandleAsync(body); // the same message delivered again
        // and the app reporting another open (a new event id) later
        await HandleAsync(ActivityJson.One(ActivityJson.Content("ci-replay-o2", "ci-replay-u1", "content_open", item, deliveries["ci-replay-u1"], Opened.AddMinutes(5))));

        Assert.Equal(2, replayed.Repeats);
        var row = Assert.Single(await Interactions.OfCampaignAsync(campaignId, TestEngine.Deadline()));
        Assert.Equal(("ci-replay-u1", item, deliveries["ci-replay-u1"], Opened, (DateTimeOffset?)Opened.AddMinutes(1)), (row.UserId, row.ContentId, row.DeliveryId, row.FirstOpenedAt, row.FirstClickedAt));
        Assert.Equal(["food"], row.Categories);

        // the open is an interaction for activity too, on the day it happened
        var user = await fixture.Engine.Get<UserStore>().GetAsync("ci-replay-u1", TestEngine.Deadline());
        Assert.Equal(IngestFixture.Today.DayNumber, user!.Activity.LastActiveDay);

        // and earns interaction points once per item and action: the second open (a new event id) earns nothing
        var earned = (await fixture.Engine.Get<Engagement.Points.PointsStore>().EntriesAsync("ci-replay-u1", TestEngine.Deadline()))
            .Where(e => e.SourceKey.StartsWith("activity-", StringComparison.Ordinal)).Select(e => e.SourceKey).Order(StringComparer.Ordinal);
        Assert.Equal([$"activity-content-click-{item}", $"activity-content-open-{item}"], earned);
    }

    [Fact]
    public async Task ClickAlone_CountsAnOpenToo_AndReadsBackSinceAnInstant()
    {
        var (campaignId, item, deliveries) = await SetUpAsync("ci-click");

        await HandleAsync(ActivityJson.One(ActivityJson.Content("ci-click-c", "ci-click-u2", "content_click", item, deliveries["ci-click-u2"], Opened)));

        var row = Assert.Single(await Interactions.OfCampaignAsync(campaignId, TestEngine.Deadline()));
        Assert.Equal(("ci-click-u2", Opened, (DateTimeOffset?)Opened), (row.UserId, row.FirstOpenedAt, row.FirstClickedAt));
        string[] both = ["ci-click-u1", "ci-click-u2"];
        Assert.Single(await Interactions.SinceAsync(both, Opened, TestEngine.Deadline()));
        Assert.Empty(await Interactions.SinceAsync(both, Opened.AddSeconds(1), TestEngine.Deadline())); // (Azurite compares times in milliseconds)
        Assert.Empty(await Interactions.SinceAsync(["ci-click-u1"], Opened.AddDays(-1), TestEngine.Deadline()));
    }

    [Fact]
    public async Task TheSameClickRecordedByEightInstancesAtOnce_CountsOnce()
    {
        var seen = new ContentInteractionSeen("ci-race-u1", "ci-race-item", "content-ci-race_s01/inapp|1|ci-race-u1", "content-ci-race", ["food"], ContentAction.Click, Opened);

        var counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Interactions.RecordAsync(seen, TestEngine.Deadline())));

        Assert.Single(counts, c => c == new ContentInteractionCount(true, true));
        Assert.Equal(7, counts.Count(c => c == new ContentInteractionCount(false, false)));
        Assert.Equal(Opened, (await Interactions.FindAsync("ci-race-u1", "ci-race-item", TestEngine.Deadline()))!.FirstClickedAt);
    }

    public static TheoryData<string, string> BadEvents => new()
    {
        { "unknown-content", "contentId 'ci-bad-unknown-content-nope' is not in the content catalogue" },
        { "unknown-delivery", "is not a known delivery" },
        { "unknown-shard", "is not a known delivery" },
        { "foreign-delivery", "is not a delivery to user" },
        { "other-item", "delivered content" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task EventForUnknownContentOrAnUnknownOrForeignDelivery_IsDeadLetteredWithItsReason_AndCountsNothing(string caseName, string reason)
    {
        var prefix = "ci-bad-" + caseName;
        var (campaignId, item, deliveries) = await SetUpAsync(prefix);
        var user = prefix + "-u1";
        var (contentId, deliveryId) = caseName switch
        {
            "unknown-content" => (prefix + "-nope", deliveries[user]),
            "unknown-delivery" => (item, deliveries[user].Replace("|1|", "|7|", StringComparison.Ordinal)),
            "unknown-shard" => (item, campaignId + "_zz/inapp|1|" + user),
            "foreign-delivery" => (item, deliveries[prefix + "-u2"]),
            _ => (prefix + "-other", deliveries[user]),
        };
        // a good event beside it: the message is refused whole, as for an event that does not parse
        var body = ActivityJson.Many(
            ActivityJson.Login(prefix + "-login", user, Opened),
            ActivityJson.Content(prefix + "-e", user, "content_open", contentId, deliveryId, Opened));
        await TestEngine.SendAsync(fixture.Engine, QueueNames.ActivityEvents, body);

        var pumped = await fixture.Engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline());

        Assert.Equal(1, pumped.DeadLettered);
        var error = (await TestEngine.ErrorRowsAsync(fixture.Engine, QueueNames.ActivityEvents)).Single(r => r.GetString("Message") == body).GetString("Error")!;
        Assert.Contains($"event '{prefix}-e': ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains(body, await TestEngine.PeekPoisonAsync(fixture.Engine, QueueNames.ActivityEvents));
        Assert.Empty(await Interactions.SinceAsync([user, prefix + "-u2"], DateTimeOffset.MinValue, TestEngine.Deadline()));
        var stored = await fixture.Engine.Get<UserStore>().GetAsync(user, TestEngine.Deadline());
        Assert.False(stored!.Activity.HasHistory); // nothing of the message applied, not even the good event
    }

    [Fact]
    public async Task MarkRead_OfAContentInboxMessage_CountsOneOpen_AndTwiceCountsOnce()
    {
        var (campaignId, item, deliveries) = await SetUpAsync("ci-read");
        var reads = fixture.Engine.Get<InboxReads>();

        var first = Assert.Single(await reads.MarkReadAsync("ci-read-u1", campaignId, TestEngine.Deadline()));
        var again = Assert.Single(await reads.MarkReadAsync("ci-read-u1", campaignId, TestEngine.Deadline()));

        Assert.Equal((true, (DateTimeOffset?)IngestFixture.Now), (first.Read, first.ReadAt));
        Assert.Equal(first.ReadAt, again.ReadAt); // the first read's time stays: the second is a repeat of the same event
        var row = Assert.Single(await Interactions.OfCampaignAsync(campaignId, TestEngine.Deadline()));
        Assert.Equal(("ci-read-u1", item, deliveries["ci-read-u1"], IngestFixture.Now, (DateTimeOffset?)null), (row.UserId, row.ContentId, row.DeliveryId, row.FirstOpenedAt, row.FirstClickedAt));
        Assert.True(Assert.Single(await fixture.Engine.Get<Inbox>().ListAsync("ci-read-u1", includeExpired: true, TestEngine.Deadline())).Read);
        Assert.DoesNotContain(await TestEngine.ErrorRowsAsync(fixture.Engine, ActivityIngestHandler.ImportSource), r => r.GetString("Error")!.Contains("ci-read-u1", StringComparison.Ordinal));

        // a message the user does not have: nothing read, nothing counted
        Assert.Empty(await reads.MarkReadAsync("ci-read-u2", "content-ci-read-none", TestEngine.Deadline()));
        Assert.Single(await Interactions.OfCampaignAsync(campaignId, TestEngine.Deadline()));
    }
}
