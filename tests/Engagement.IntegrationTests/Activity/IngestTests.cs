using System.Text;
using Engagement.Activity;
using Engagement.Messaging;
using Engagement.Users;
using static Engagement.IntegrationTests.Infrastructure.ActivityJson;
using Engagement.Ingest;

namespace Engagement.IntegrationTests.Activity;

public sealed class IngestTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private static readonly DateOnly Mar29 = new(2026, 3, 29);
    private static readonly DateOnly Mar30 = new(2026, 3, 30);
    private static readonly DateOnly Mar31 = new(2026, 3, 31);

    private ActivityIngestHandler Handler => fixture.Engine.Get<ActivityIngestHandler>();

    private UserStore Users => fixture.Engine.Get<UserStore>();

    private Task<IngestResult> HandleAsync(string body) =>
        Handler.HandleAsync(new QueueEnvelope(QueueNames.ActivityEvents, Guid.NewGuid().ToString("N"), body, 1), body, TestEngine.Deadline());

    private async Task<UserRecord> UserAsync(string userId) =>
        await Users.GetAsync(userId, TestEngine.Deadline()) ?? throw new Xunit.Sdk.XunitException($"user {userId} was not stored");

    [Fact]
    public async Task Handle_OneEventThenAnArray_BothUpdateTheAggregate()
    {
        const string user = "agg-1";
        await HandleAsync(One(Purchase("agg-1-p1", user, 12.34m, At(Mar30))));

        var after1 = await UserAsync(user);
        Assert.Equal(Mar30.DayNumber, after1.Activity.LastActiveDay);
        Assert.Equal(1, after1.Activity.ActiveDaysIn(Mar31.DayNumber, 7));
        Assert.Equal(1234, after1.Activity.SpendIn(Mar31.DayNumber, 7));

        var result = await HandleAsync(
            Many(
                Login("agg-1-l1", user, At(Mar31, 9)),
                Purchase("agg-1-p2", user, 5m, At(Mar31, 9, 5)),
                Interaction("agg-1-i1", user, "Books", At(Mar29, 20))));

        Assert.Equal(3, result.Events);
        Assert.Equal(1, result.UsersChanged);
        var after2 = await UserAsync(user);
        Assert.Equal(Mar31.DayNumber, after2.Activity.LastActiveDay);
        Assert.Equal(Mar29.DayNumber, after2.Activity.FirstActiveDay);
        Assert.Equal(3, after2.Activity.ActiveDaysIn(Mar31.DayNumber, 7));
        Assert.Equal(1, after2.Activity.ActiveDaysIn(Mar31.DayNumber, 1));
        Assert.Equal(1734, after2.Activity.SpendIn(Mar31.DayNumber, 7));
        Assert.Equal(500, after2.Activity.SpendIn(Mar31.DayNumber, 1));
        Assert.Contains("books", after2.Activity.Categories); // categories are lower-cased
    }

    [Fact]
    public async Task Handle_SameMessageTwice_PurchaseCountsOnce()
    {
        const string user = "dup-1";
        var body = Many(
            Purchase("dup-1-p1", user, 20m, At(Mar30)),
            Purchase("dup-1-p2", user, 0.99m, At(Mar31)));

        var first = await HandleAsync(body);
        var second = await HandleAsync(body);

        Assert.Equal(1, first.UsersCreated);
        Assert.Equal(0, second.UsersCreated + second.UsersChanged); // a replay writes nothing
        Assert.Equal(2, second.Repeats);
        Assert.Empty(second.Conflicts);
        var stored = await UserAsync(user);
        Assert.Equal(2099, stored.Activity.SpendIn(Mar31.DayNumber, 30));
        Assert.Equal(2, stored.Activity.Purchases.Count);
    }

    [Fact]
    public async Task Pump_SameMessageDeliveredTwice_PurchaseCountsOnce()
    {
        const string user = "dup-2";
        var body = One(Purchase("dup-2-p1", user, 42.5m, At(Mar31)));
        // four deliveries of one message, handled in parallel: they race to create the user (409, re-read, replay)
        for (var i = 0; i < 4; i++)
        {
            await TestEngine.SendAsync(fixture.Engine, QueueNames.ActivityEvents, body);
        }

        var pumped = await fixture.Engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline());

        Assert.Equal(4, pumped.Handled);
        Assert.Equal(0, pumped.DeadLettered);
        Assert.Equal(4250, (await UserAsync(user)).Activity.SpendIn(Mar31.DayNumber, 1));
    }

    [Fact]
    public async Task Handle_EventsOutOfOrder_SameAggregateAsInOrder()
    {
        // the same history for two users: one delivered oldest first, one newest first, one message per event
        static List<Dictionary<string, object?>> History(string user) =>
        [
            Purchase($"{user}-p1", user, 10m, At(new DateOnly(2026, 1, 5)), "toys"),
            Login($"{user}-l1", user, At(new DateOnly(2026, 2, 14))),
            Interaction($"{user}-i1", user, "travel", At(new DateOnly(2026, 3, 1))),
            Purchase($"{user}-p2", user, 7.25m, At(Mar30, 23, 30)),
            Login($"{user}-l2", user, At(Mar31, 0, 15)),
        ];

        foreach (var e in History("ord-in"))
        {
            await HandleAsync(One(e));
        }

        foreach (var e in Enumerable.Reverse(History("ord-rev")))
        {
            await HandleAsync(One(e));
        }

        var inOrder = (await UserAsync("ord-in")).Activity;
        var reversed = (await UserAsync("ord-rev")).Activity;
        Assert.Equal(Mar31.DayNumber, inOrder.LastActiveDay);
        Assert.Equal(new DateOnly(2026, 1, 5).DayNumber, inOrder.FirstActiveDay);
        Assert.Equal(inOrder.LastActiveDay, reversed.LastActiveDay);
        Assert.Equal(inOrder.FirstActiveDay, reversed.FirstActiveDay);
        Assert.Equal(inOrder.DaysBytes(), reversed.DaysBytes());
        Assert.Equal(inOrder.Purchases.Select(p => (p.Day, p.AmountMinor)), reversed.Purchases.Select(p => (p.Day, p.AmountMinor)));
        Assert.Equal(inOrder.Categories, reversed.Categories);
        foreach (var window in new[] { 1, 2, 30, 90, 365 })
        {
            Assert.Equal(inOrder.ActiveDaysIn(Mar31.DayNumber, window), reversed.ActiveDaysIn(Mar31.DayNumber, window));
            Assert.Equal(inOrder.SpendIn(Mar31.DayNumber, window), reversed.SpendIn(Mar31.DayNumber, window));
        }

        Assert.Equal(5, inOrder.ActiveDaysIn(Mar31.DayNumber, 90));
        Assert.Equal(1725, inOrder.SpendIn(Mar31.DayNumber, 90));
        Assert.Equal(725, inOrder.SpendIn(Mar31.DayNumber, 2));
    }

    [Fact]
    public async Task Handle_UnknownUser_CreatesMinimalProfileWithoutMarketingConsent()
    {
        const string user = "new-1";
        var at = At(Mar31, 8, 30);
        var result = await HandleAsync(One(Login("new-1-l1", user, at)));

        Assert.Equal(1, result.UsersCreated);
        var stored = await UserAsync(user);
        Assert.Equal("activity", stored.Profile.Source);
        Assert.False(stored.Profile.ConsentSms);
        Assert.False(stored.Profile.ConsentPush);
        Assert.Null(stored.Profile.Phone);
        Assert.Equal(at, stored.Profile.RegisteredOn);
        Assert.Null(stored.Standing);
        Assert.Equal(Mar31.DayNumber, stored.Activity.LastActiveDay);
    }

    [Fact]
    public async Task Handle_KnownUser_LeavesTheImportedProfileAlone()
    {
        const string user = "known-1";
        var profile = new UserProfile { Phone = "+8613800138000", ConsentSms = true, ConsentPush = true, Source = "import", TimeZone = "Asia/Shanghai" };
        await Users.UpsertProfilesAsync([(user, profile)], 1, TestEngine.Deadline());

        var result = await HandleAsync(One(Purchase("known-1-p1", user, 3m, At(Mar31))));

        Assert.Equal(0, result.UsersCreated);
        Assert.Equal(1, result.UsersChanged);
        var stored = await UserAsync(user);
        Assert.Equal("import", stored.Profile.Source);
        Assert.True(stored.Profile.ConsentSms);
        Assert.True(stored.Profile.ConsentPush);
        Assert.Equal("+8613800138000", stored.Profile.Phone);
        Assert.Equal(300, stored.Activity.SpendIn(Mar31.DayNumber, 1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pump_PlainAndBase64Messages_AreBothIngested(bool base64)
    {
        var user = base64 ? "enc-b64" : "enc-plain";
        var json = Many(Login($"{user}-l1", user, At(Mar30)), Purchase($"{user}-p1", user, 8.88m, At(Mar31)));
        var body = base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(json)) : json;
        await TestEngine.SendAsync(fixture.Engine, QueueNames.ActivityEvents, body);

        var pumped = await fixture.Engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline());

        Assert.Equal(1, pumped.Handled);
        Assert.Equal(0, pumped.DeadLettered);
        var stored = await UserAsync(user);
        Assert.Equal(2, stored.Activity.ActiveDaysIn(Mar31.DayNumber, 7));
        Assert.Equal(888, stored.Activity.SpendIn(Mar31.DayNumber, 7));
    }

    public static TheoryData<string, string, string, string[]> MalformedMessages()
    {
        var data = new TheoryData<string, string, string, string[]>
        {
            { "bad JSON", """{"eventId":"bad-json-1","userId":"bad-json","type":"login", """, "invalid JSON", ["bad-json"] },
            { "not JSON, not base64", "hello, world", "neither JSON text nor base64", [] },
            { "empty array", "[]", "holds no events", [] },
            { "a JSON string", "\"hello\"", "expected an event object or an array of events, got a string", [] },
            { "a JSON number", "42", "expected an event object or an array of events, got a number", [] },
            { "JSON null", "null", "expected an event object or an array of events, got null", [] },
            { "no UTC offset", """{"eventId":"bad-tz-1","userId":"bad-tz","type":"login","occurredAt":"2026-03-31T10:00:00"}""", "occurredAt '2026-03-31T10:00:00' has no UTC offset", ["bad-tz"] },
            { "padded user id", One(Login("bad-pad-1", " bad-pad ", At(Mar31))), "userId has leading or trailing whitespace", [" bad-pad ", "bad-pad"] },
            { "negative amount", One(Purchase("bad-neg-1", "bad-neg", -5m, At(Mar31))), "amount -5 is negative", ["bad-neg"] },
            { "unknown type", One(Event("bad-type-1", "bad-type", "refund", 5m, null, At(Mar31))), "unknown type 'refund'", ["bad-type"] },
            { "far future", One(Login("bad-future-1", "bad-future", IngestFixture.Now.AddDays(2))), "is in the future", ["bad-future"] },
            { "missing amount", One(Event("bad-noamt-1", "bad-noamt", "purchase", null, null, At(Mar31))), "a purchase needs an amount", ["bad-noamt"] },
            { "slash in user id", One(Login("bad-key-1", "bad/key", At(Mar31))), "userId contains '/'", ["bad/key"] },
            {
                "valid event plus invalid event",
                Many(Purchase("bad-mix-1", "bad-mix-ok", 50m, At(Mar31)), Purchase("bad-mix-2", "bad-mix-neg", -1m, At(Mar31))),
                "event[1] (bad-mix-2): amount -1 is negative",
                ["bad-mix-ok", "bad-mix-neg"]
            },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public async Task Pump_MalformedMessage_IsDeadLetteredAndChangesNothing(string caseName, string body, string expectedError, string[] users)
    {
        _ = caseName;
        await TestEngine.SendAsync(fixture.Engine, QueueNames.ActivityEvents, body);

        var pumped = await fixture.Engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline());

        Assert.Equal(0, pumped.Handled);
        Assert.Equal(1, pumped.DeadLettered);
        Assert.Equal(0, pumped.Failed); // bad input is dead-lettered at once, not retried
        await TestEngine.AssertDeadLetteredAsync(fixture.Engine, QueueNames.ActivityEvents, body, expectedError);
        var row = (await TestEngine.ErrorRowsAsync(fixture.Engine, QueueNames.ActivityEvents)).Single(r => r.GetString("Message") == body);
        Assert.Equal(IngestFixture.Now, row.GetDateTimeOffset("OccurredAt")); // the engine's clock, not the machine's
        foreach (var user in users.Where(u => !u.Contains('/', StringComparison.Ordinal)))
        {
            Assert.Null(await Users.GetAsync(user, TestEngine.Deadline()));
        }
    }

    [Fact]
    public async Task Parse_WithinTheAllowedClockSkew_IsAccepted()
    {
        // 5 minutes ahead of the engine's clock is inside the 10-minute skew: accepted
        var result = await HandleAsync(One(Login("skew-1-l1", "skew-1", IngestFixture.Now.AddMinutes(5))));
        Assert.Equal(1, result.UsersCreated);
    }
}
