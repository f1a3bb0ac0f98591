using System.Text;
using Engagement.Storage;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>IngestActivity, run with a bound QueueMessage through the app's composition over Azurite.</summary>
public sealed class ActivityFunctionTests(FunctionAppFixture fixture) : IClassFixture<FunctionAppFixture>
{
    private static readonly DateOnly Nov29 = new(2026, 11, 29);
    private readonly FunctionApp _app = fixture.App;

    private static string Purchase(string eventId, string userId, string amount, string occurredAt) =>
        $$"""{"eventId":"{{eventId}}","userId":"{{userId}}","type":"purchase","amount":{{amount}},"category":"Books","occurredAt":"{{occurredAt}}"}""";

    private Task IngestAsync(string body, long dequeueCount = 1) => _app.TriggerAsync(nameof(ActivityFunctions.IngestActivity), FunctionApp.Message(body, dequeueCount));

    [Fact]
    public async Task IngestActivity_ValidEvent_UpdatesTheUsersAggregate()
    {
        await IngestAsync(Purchase("fa-1-p1", "fa-1", "12.34", "2026-11-29T10:00:00+08:00"));

        var user = await _app.UserAsync("fa-1");
        Assert.Equal(Nov29.DayNumber, user.Activity.LastActiveDay);
        Assert.Equal(1234, user.Activity.SpendIn(FunctionApp.Yesterday.DayNumber, 7));
        Assert.Contains("books", user.Activity.Categories);
        Assert.Empty(await _app.ErrorRowsAsync(QueueNames.ActivityEvents));
    }

    [Fact]
    public async Task IngestActivity_Base64ArrayOfEvents_IsDecodedAndEveryEventCounts()
    {
        // what a producer on the Functions default (base64) sends
        var array = "[" + Purchase("fa-2-p1", "fa-2", "5", "2026-11-28T09:00:00+08:00") + "," + Purchase("fa-2-p2", "fa-2", "0.99", "2026-11-29T21:00:00+08:00") + "]";

        await IngestAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(array)));

        var user = await _app.UserAsync("fa-2");
        Assert.Equal(599, user.Activity.SpendIn(FunctionApp.Yesterday.DayNumber, 7));
        Assert.Equal(2, user.Activity.ActiveDaysIn(FunctionApp.Yesterday.DayNumber, 7));
    }

    [Fact]
    public async Task IngestActivity_InvalidEvent_IsDeadLetteredWithAnErrorsRowAndChangesNoUser()
    {
        var body = """{"eventId":"fa-3-p1","user":"fa-3","type":"purchase","amount":3,"occurredAt":"2026-11-29T10:00:00+08:00"}""";
        var message = FunctionApp.Message(body);

        // bad input is not retried: the function returns, the message is on the poison queue with its reason
        await _app.TriggerAsync(nameof(ActivityFunctions.IngestActivity), message);

        Assert.Contains(body, await _app.PeekAsync(QueueNames.Poison(QueueNames.ActivityEvents)));
        var row = Assert.Single(await _app.ErrorRowsAsync(QueueNames.ActivityEvents));
        Assert.Equal(message.MessageId, row.GetString("MessageId"));
        Assert.Contains("malformed", row.GetString("Error"), StringComparison.Ordinal);
        Assert.Contains("userId", row.GetString("Error"), StringComparison.Ordinal);
        Assert.Null(await _app.Get<Users.UserStore>().GetAsync("fa-3", FunctionApp.Deadline()));
    }
}
