using System.Net;
using Engagement.Callbacks;
using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>
/// TwilioStatus and TwilioInbound with a bound HttpRequestData, then ProviderCallbacks with the
/// message they queued: the whole path of a Twilio webhook through the app. Each test has its own app.
/// </summary>
public sealed class WebhookFunctionTests : IAsyncLifetime
{
    private const string Phone = "+8613800138001";
    private const string OptedOutPhone = "+8613800138002";
    private FunctionApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await FunctionApp.StartAsync(TwilioRequests.Settings);
        await _app.SeedUsersAsync("dormant", ("wh-1", new UserProfile { Phone = Phone, TimeZone = "Asia/Shanghai", ConsentSms = true, ConsentInApp = true, Source = "test" }));
        await _app.SeedUsersAsync("dormant", ("wh-2", new UserProfile { Phone = OptedOutPhone, TimeZone = "Asia/Shanghai", ConsentSms = false, Source = "test" }));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<ProviderCallback> SingleQueuedCallbackAsync() =>
        ProviderCallback.Parse(Assert.Single(await _app.PeekAsync(QueueNames.ProviderCallbacks)));

    [Fact]
    public async Task TwilioInbound_SignedStop_Answers200AndQueuesIt_ProviderCallbacksThenRemovesSmsConsent()
    {
        var stop = TwilioRequests.Signed(TwilioRequests.InboundUrl, TwilioRequests.InboundForm("SM00000000000000000000000000000001", Phone, "STOP"));

        var response = await TwilioRequests.ReceiveAsync(_app, nameof(WebhookFunctions.TwilioInbound), stop.Url, stop.FormBody, stop.Signature);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/xml", response.ContentType, StringComparison.Ordinal);
        Assert.Equal(TwilioWebhooks.EmptyTwiml, response.BodyText());
        var queued = await SingleQueuedCallbackAsync();
        Assert.Equal((CallbackKinds.TwilioInbound, Phone, "STOP"), (queued.Kind, queued.Form["From"], queued.Form["Body"]));
        Assert.True((await _app.UserAsync("wh-1")).Profile.ConsentSms); // answered first, handled off the queue

        Assert.Equal(1, await _app.DrainAsync(QueueNames.ProviderCallbacks, nameof(WebhookFunctions.ProviderCallbacks)));

        Assert.False((await _app.UserAsync("wh-1")).Profile.ConsentSms);
        Assert.Empty(await _app.ErrorRowsAsync(QueueNames.ProviderCallbacks));
    }

    [Fact]
    public async Task TwilioStatus_SignedDelivered_Answers200AndQueuesIt_ProviderCallbacksThenSettlesTheDelivery()
    {
        // a planned SMS delivery (planned by the campaign trigger, not sent: no provider call is needed)
        await _app.TriggerAsync(nameof(CampaignFunctions.CampaignTrigger), FunctionApp.Message("""
            {
              "schemaVersion": 1, "campaignId": "wh-status", "name": "We miss you",
              "audience": { "tiers": ["dormant"] },
              "channels": [ { "channel": "sms", "template": "Hi {{ user_id }}, 30% off until {{ expires_at }}" } ],
              "holdoutPercent": 0, "expiresAt": "2026-12-20T00:00:00+08:00"
            }
            """));
        var planned = Assert.Single(await _app.Get<DeliveryLedger>().RowsAsync("wh-status", _app.Get<UserShards>().All, FunctionApp.Deadline()), r => r.UserId == "wh-1");
        Assert.Equal(DeliveryStates.Planned, planned.State);
        const string sid = "SM0123456789abcdef0123456789abcdef";
        var delivered = TwilioRequests.Signed(TwilioRequests.StatusUrlFor(planned.Id), TwilioRequests.StatusForm(sid, "delivered", Phone));

        var response = await TwilioRequests.ReceiveAsync(_app, nameof(WebhookFunctions.TwilioStatus), delivered.Url, delivered.FormBody, delivered.Signature);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var queued = await SingleQueuedCallbackAsync();
        Assert.Equal((CallbackKinds.TwilioStatus, delivered.Url.AbsoluteUri, "delivered"), (queued.Kind, queued.Url, queued.Form["MessageStatus"]));

        Assert.Equal(1, await _app.DrainAsync(QueueNames.ProviderCallbacks, nameof(WebhookFunctions.ProviderCallbacks)));

        var settled = Assert.Single(await _app.Get<DeliveryLedger>().RowsAsync("wh-status", _app.Get<UserShards>().All, FunctionApp.Deadline()), r => r.UserId == "wh-1");
        Assert.Equal((DeliveryStates.Accepted, sid, "delivered"), (settled.State, settled.ProviderId, settled.ProviderStatus));
        Assert.Empty(await _app.ErrorRowsAsync(QueueNames.ProviderCallbacks));
    }

    [Fact]
    public async Task ProviderCallbacks_QueuedInboundStart_GivesSmsConsentBackToThatNumbersUser()
    {
        var start = new ProviderCallback(CallbackKinds.TwilioInbound, TwilioRequests.InboundUrl.AbsoluteUri, TwilioRequests.InboundForm("SM00000000000000000000000000000002", OptedOutPhone, "START"), FunctionApp.Now);

        await _app.TriggerAsync(nameof(WebhookFunctions.ProviderCallbacks), FunctionApp.Message(start.ToJson()));

        Assert.True((await _app.UserAsync("wh-2")).Profile.ConsentSms);
        Assert.True((await _app.UserAsync("wh-1")).Profile.ConsentSms); // another number: untouched
        Assert.Empty(await _app.ErrorRowsAsync(QueueNames.ProviderCallbacks));
    }
}
