using System.Net;
using Engagement.Storage;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>TwilioStatus and TwilioInbound refuse what Twilio did not sign: 403, an errors row, nothing queued.</summary>
public sealed class WebhookForgeryTests(WebhookForgeryTests.Fixture fixture) : IClassFixture<WebhookForgeryTests.Fixture>
{
    public sealed class Fixture : FunctionAppFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings => TwilioRequests.Settings;
    }

    public static TheoryData<string, string> Forgeries()
    {
        var data = new TheoryData<string, string>();
        foreach (var function in new[] { nameof(WebhookFunctions.TwilioStatus), nameof(WebhookFunctions.TwilioInbound) })
        {
            foreach (var forgery in new[] { "wrong-token", "tampered-body", "no-signature", "signed-for-the-other-webhook" })
            {
                data.Add(function, forgery);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task TwilioWebhook_NotSignedByTwilioForThisRequest_Answers403AndQueuesNothing(string function, string forgery)
    {
        var isStatus = function == nameof(WebhookFunctions.TwilioStatus);
        var sid = "SM" + Guid.NewGuid().ToString("N"); // keeps this case's errors row apart
        var (url, otherUrl, form) = isStatus
            ? (TwilioRequests.StatusUrlFor("campaign_s0/sms|1|u1"), TwilioRequests.InboundUrl, TwilioRequests.StatusForm(sid, "delivered", "+8613800138001"))
            : (TwilioRequests.InboundUrl, TwilioRequests.StatusUrl, TwilioRequests.InboundForm(sid, "+8613800138001", "START"));
        var genuine = TwilioRequests.Signed(url, form);
        var (body, signature) = forgery switch
        {
            "wrong-token" => (genuine.FormBody, TwilioRequests.Signed(url, form, "not-the-auth-token").Signature),
            "tampered-body" => (genuine.FormBody.Replace("delivered", "failed", StringComparison.Ordinal).Replace("START", "STOP", StringComparison.Ordinal), genuine.Signature),
            "no-signature" => (genuine.FormBody, (string?)null),
            _ => (genuine.FormBody, TwilioRequests.Signed(otherUrl, form).Signature), // the same form, signed for the other webhook's URL
        };
        Assert.Equal(forgery == "tampered-body", body != genuine.FormBody); // only the tampering changes the body

        var response = await TwilioRequests.ReceiveAsync(fixture.App, function, url, body, signature);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await fixture.App.PeekAsync(QueueNames.ProviderCallbacks));
        var kind = isStatus ? Callbacks.CallbackKinds.TwilioStatus : Callbacks.CallbackKinds.TwilioInbound;
        Assert.Single(await fixture.App.ErrorRowsAsync("webhook-" + kind), r => r.GetString("Message") == body);
    }
}
