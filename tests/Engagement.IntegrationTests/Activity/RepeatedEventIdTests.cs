using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Users;
using static Engagement.IntegrationTests.Infrastructure.ActivityJson;
using Engagement.Ingest;

namespace Engagement.IntegrationTests.Activity;

/// <summary>
/// One eventId sent more than once, through the queue as another SDK's producer would send it: an
/// id counts once per user; a repeat with another body is not applied and leaves an errors row,
/// while its message is still handled (not dead-lettered) and its other events apply.
/// </summary>
public sealed class RepeatedEventIdTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private static readonly DateOnly Mar29 = new(2026, 3, 29);
    private static readonly DateOnly Mar30 = new(2026, 3, 30);
    private static readonly DateOnly Mar31 = new(2026, 3, 31);

    private async Task<UserRecord> UserAsync(string userId) =>
        await fixture.Engine.Get<UserStore>().GetAsync(userId, TestEngine.Deadline()) ?? throw new Xunit.Sdk.XunitException($"user {userId} was not stored");

    private async Task<Local.Queues.PumpProgress> SendAndDrainAsync(params string[] bodies)
    {
        foreach (var body in bodies)
        {
            await TestEngine.SendAsync(fixture.Engine, QueueNames.ActivityEvents, body);
        }

        return await fixture.Engine.Pump().DrainAsync(QueueNames.ActivityEvents, null, TestEngine.Deadline());
    }

    private async Task<List<TableEntity>> ErrorRowsAboutAsync(string eventId) =>
        (await TestEngine.ErrorRowsAsync(fixture.Engine, QueueNames.ActivityEvents))
            .Where(r => r.GetString("Error")?.Contains($"'{eventId}'", StringComparison.Ordinal) == true)
            .ToList();

    [Fact]
    public async Task OneIdOnThreeDays_CountsTheFirstOnly_AndRecordsTwoConflicts()
    {
        const string user = "rep-1";
        string[] bodies =
        [
            One(Purchase("rep-1-e", user, 20m, At(Mar29))),
            One(Purchase("rep-1-e", user, 35m, At(Mar30))),
            One(Login("rep-1-e", user, At(Mar31))),
        ];

        var handled = 0;
        foreach (var body in bodies)
        {
            var pumped = await SendAndDrainAsync(body); // one at a time: the first sent is the first applied
            Assert.Equal(0, pumped.DeadLettered);
            handled += (int)pumped.Handled;
        }

        Assert.Equal(3, handled);
        var activity = (await UserAsync(user)).Activity;
        Assert.Equal(1, activity.ActiveDaysIn(Mar31.DayNumber, 90));
        Assert.Equal(Mar29.DayNumber, activity.LastActiveDay);
        Assert.Equal(2000, Assert.Single(activity.Purchases).AmountMinor);
        var rows = await ErrorRowsAboutAsync("rep-1-e");
        Assert.Equal(2, rows.Count);
        Assert.Equal(bodies[1..].Order(StringComparer.Ordinal), rows.Select(r => r.GetString("Message")).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Contains("not applied", r.GetString("Error"), StringComparison.Ordinal));
        Assert.Empty(await TestEngine.PeekPoisonAsync(fixture.Engine, QueueNames.ActivityEvents));
    }

    [Fact]
    public async Task TwoVersionsInOneBatch_ExactlyOneApplies_TheOtherIsRecorded()
    {
        const string user = "rep-2";
        var first = One(Purchase("rep-2-e", user, 10m, At(Mar31, 9)));
        var second = One(Purchase("rep-2-e", user, 99m, At(Mar31, 9)));

        var pumped = await SendAndDrainAsync(first, second); // one receive: handled in parallel, either may win

        Assert.Equal(2, pumped.Handled);
        Assert.Equal(0, pumped.DeadLettered);
        var purchase = Assert.Single((await UserAsync(user)).Activity.Purchases);
        Assert.Contains(purchase.AmountMinor, new long[] { 1000, 9900 });
        var row = Assert.Single(await ErrorRowsAboutAsync("rep-2-e"));
        Assert.Equal(purchase.AmountMinor == 1000 ? second : first, row.GetString("Message")); // the one not applied
    }

    [Fact]
    public async Task ConflictInsideAMessage_OtherEventsStillApply()
    {
        const string user = "rep-3";
        var body = Many(
            Purchase("rep-3-e", user, 5m, At(Mar30)),
            Login("rep-3-l", user, At(Mar31)),
            Interaction("rep-3-e", user, "travel", At(Mar31, 11)));

        var pumped = await SendAndDrainAsync(body);

        Assert.Equal(1, pumped.Handled);
        var activity = (await UserAsync(user)).Activity;
        Assert.Equal(2, activity.ActiveDaysIn(Mar31.DayNumber, 7));
        Assert.Equal(500, activity.SpendIn(Mar31.DayNumber, 7));
        Assert.DoesNotContain("travel", activity.Categories);
        Assert.Equal(body, Assert.Single(await ErrorRowsAboutAsync("rep-3-e")).GetString("Message"));
    }

    [Fact]
    public async Task IdenticalRepeat_ChangesNothing_AndRecordsNothing()
    {
        const string user = "rep-4";
        var body = One(Interaction("rep-4-e", user, "books", At(Mar30)));
        await SendAndDrainAsync(body);
        var before = (await UserAsync(user)).Activity;

        var pumped = await SendAndDrainAsync(Many(Interaction("rep-4-e", user, "books", At(Mar30)), Login("rep-4-l", user, At(Mar31))));

        Assert.Equal(1, pumped.Handled);
        var after = (await UserAsync(user)).Activity;
        Assert.Equal(before.Categories, after.Categories);
        Assert.Equal(2, after.ActiveDaysIn(Mar31.DayNumber, 7));
        Assert.Empty(await ErrorRowsAboutAsync("rep-4-e"));
    }

    [Fact]
    public async Task OneIdForTwoUsers_CountsForEach_BecauseIdsArePerUser()
    {
        // the documented scope (docs/contracts.md): an eventId identifies an event of one user
        var pumped = await SendAndDrainAsync(Many(
            Purchase("rep-5-e", "rep-5a", 12m, At(Mar31)),
            Purchase("rep-5-e", "rep-5b", 12m, At(Mar31))));

        Assert.Equal(1, pumped.Handled);
        Assert.Equal(1200, (await UserAsync("rep-5a")).Activity.SpendIn(Mar31.DayNumber, 1));
        Assert.Equal(1200, (await UserAsync("rep-5b")).Activity.SpendIn(Mar31.DayNumber, 1));
        Assert.Empty(await ErrorRowsAboutAsync("rep-5-e"));
    }

    [Fact]
    public async Task ConflictInABackfill_IsRecordedUnderActivityImport()
    {
        var ingest = fixture.Engine.Get<ActivityIngestHandler>();
        var at = At(Mar31);
        await ingest.IngestAsync([new ActivityEvent("rep-6-e", "rep-6", ActivityType.Purchase, 700, null, at)], TestEngine.Deadline());

        var result = await ingest.IngestAsync([new ActivityEvent("rep-6-e", "rep-6", ActivityType.Purchase, 800, null, at)], TestEngine.Deadline());

        Assert.Equal("rep-6-e", Assert.Single(result.Conflicts).EventId);
        Assert.Equal(700, (await UserAsync("rep-6")).Activity.SpendIn(Mar31.DayNumber, 1));
        var row = Assert.Single(await TestEngine.ErrorRowsAsync(fixture.Engine, ActivityIngestHandler.ImportSource));
        Assert.Contains("user 'rep-6' eventId 'rep-6-e' (purchase 8.00", row.GetString("Error"), StringComparison.Ordinal);
    }
}
