using Engagement.Storage;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>What every queue-trigger function does with a message that is not JSON: the engine's message policy, on its own queue.</summary>
public sealed class QueueTriggerFunctionTests(FunctionAppFixture fixture) : IClassFixture<FunctionAppFixture>
{
    private readonly FunctionApp _app = fixture.App;

    public static TheoryData<string, string> Triggers => new()
    {
        { nameof(ActivityFunctions.IngestActivity), QueueNames.ActivityEvents },
        { nameof(NightlyFunctions.NightlyShard), QueueNames.NightlyShards },
        { nameof(CampaignFunctions.CampaignTrigger), QueueNames.CampaignTriggers },
        { nameof(DeliveryFunctions.Deliver), QueueNames.Deliveries },
        { nameof(WebhookFunctions.ProviderCallbacks), QueueNames.ProviderCallbacks },
    };

    [Theory]
    [MemberData(nameof(Triggers))]
    public async Task QueueTrigger_MessageThatIsNotJson_IsDeadLetteredOnItsOwnQueueWithItsIdAndDequeueCount(string function, string queue)
    {
        const string body = "this is not JSON";
        var message = FunctionApp.Message(body, dequeueCount: 2);

        await _app.TriggerAsync(function, message);

        Assert.Equal([body], await _app.PeekAsync(QueueNames.Poison(queue)));
        var row = Assert.Single(await _app.ErrorRowsAsync(queue));
        Assert.Equal(message.MessageId, row.GetString("MessageId"));
        Assert.Equal(2, row.GetInt64("DequeueCount"));
        Assert.Equal(body, row.GetString("Message"));
        Assert.StartsWith("malformed: ", row.GetString("Error"), StringComparison.Ordinal);
    }
}
