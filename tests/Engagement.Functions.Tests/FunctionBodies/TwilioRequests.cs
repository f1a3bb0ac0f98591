using Engagement.Local.Fakes;
using Microsoft.Azure.Functions.Worker.Http;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>
/// Twilio's side of the webhooks: the settings that turn them on and signed POSTs. Each request is
/// signed for exactly the URL the test request reports, and that URL is also the configured public
/// one (Twilio:StatusCallbackUrl, Twilio:InboundUrl), so the signature holds whether the check uses
/// the request's URL or the configured one.
/// </summary>
internal static class TwilioRequests
{
    public const string AuthToken = "functions-test-token";
    public const string OurNumber = "+14155550199";
    public static readonly Uri StatusUrl = new("https://engage.example.test/api/twilio/status");
    public static readonly Uri InboundUrl = new("https://engage.example.test/api/twilio/inbound");

    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["Twilio:AccountSid"] = TwilioFake.AccountSid,
        ["Twilio:AuthToken"] = AuthToken,
        ["Twilio:From"] = OurNumber,
        ["Twilio:StatusCallbackUrl"] = StatusUrl.AbsoluteUri,
        ["Twilio:InboundUrl"] = InboundUrl.AbsoluteUri,
        ["Twilio:SegmentsPerSecond"] = "0",
    };

    /// <summary>Where Twilio posts one delivery's status: the URL the SMS sender gives Twilio for it.</summary>
    public static Uri StatusUrlFor(string deliveryId) => new(StatusUrl.AbsoluteUri + "?deliveryId=" + Uri.EscapeDataString(deliveryId));

    public static Dictionary<string, string> StatusForm(string messageSid, string status, string to) => new(StringComparer.Ordinal)
    {
        ["AccountSid"] = TwilioFake.AccountSid, ["MessageSid"] = messageSid, ["SmsSid"] = messageSid, ["MessageStatus"] = status,
        ["SmsStatus"] = status, ["To"] = to, ["From"] = OurNumber, ["ApiVersion"] = "2010-04-01",
    };

    public static Dictionary<string, string> InboundForm(string messageSid, string from, string body) => new(StringComparer.Ordinal)
    {
        ["AccountSid"] = TwilioFake.AccountSid, ["MessageSid"] = messageSid, ["From"] = from, ["To"] = OurNumber,
        ["Body"] = body, ["NumMedia"] = "0", ["ApiVersion"] = "2010-04-01",
    };

    /// <summary>The form POSTed to <paramref name="url"/> with Twilio's X-Twilio-Signature (the fake signs as Twilio does).</summary>
    public static TwilioFakeCallback Signed(Uri url, IReadOnlyDictionary<string, string> form, string authToken = AuthToken) =>
        TwilioFake.SignedRequest(url, form, authToken);

    /// <summary>The POST as the HTTP trigger binds it; <paramref name="signature"/> null sends no X-Twilio-Signature.</summary>
    public static TestHttpRequestData Post(Microsoft.Azure.Functions.Worker.FunctionContext context, Uri url, string formBody, string? signature)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "application/x-www-form-urlencoded") };
        if (signature is not null)
        {
            headers.Add(new("X-Twilio-Signature", signature));
        }

        return new TestHttpRequestData(context, "POST", url, formBody, headers);
    }

    /// <summary>Runs TwilioStatus or TwilioInbound on one POST and returns what it answered.</summary>
    public static async Task<TestHttpResponseData> ReceiveAsync(FunctionApp app, string function, Uri url, string formBody, string? signature)
    {
        var response = await app.InvokeAsync<WebhookFunctions, HttpResponseData>(function, (f, c) => function switch
        {
            nameof(WebhookFunctions.TwilioStatus) => f.TwilioStatus(Post(c, url, formBody, signature), c.CancellationToken),
            nameof(WebhookFunctions.TwilioInbound) => f.TwilioInbound(Post(c, url, formBody, signature), c.CancellationToken),
            _ => throw new ArgumentException($"{function} is not a webhook function", nameof(function)),
        });
        return Assert.IsType<TestHttpResponseData>(response);
    }
}
