using Engagement.Callbacks;
using Engagement.Delivery;
using Engagement.Local.Fakes;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// On Azure the worker sees another URL than Twilio called (a front end terminating TLS: http, an
/// internal host, another port). Signatures are checked against the configured public URLs with the
/// request's own query, so genuine callbacks arriving on the internal URL are accepted and forged ones
/// still refused.
/// </summary>
public sealed class TwilioPublicUrlTests : IAsyncLifetime
{
    private const string AuthToken = "public-url-token";
    private const string PublicBase = "https://engage.example.com";
    private static readonly Uri Internal = new("http://10.0.0.7:8080"); // scheme, host and port all differ
    private readonly StoppedClock _clock = new(new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero)); // noon in Shanghai
    private TwilioFake _twilio = null!;
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _twilio = await TwilioFake.StartAsync();
        _engine = await TestEngine.StartAsync(_clock, settings: TestEngine.TwilioSettings(
            _twilio,
            AuthToken,
            ("Twilio:StatusCallbackUrl", PublicBase + "/api/twilio/status"),
            ("Twilio:InboundUrl", PublicBase + "/api/twilio/inbound")));
        await Population.SeedSmsRecipientsAsync(_engine, "pu", "+861390077", 3, "dormant");
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    /// <summary>The request as the worker sees it: Twilio's URL with the internal scheme, host and port.</summary>
    private static Uri AsSeenInside(Uri publicUrl) => new(Internal, publicUrl.PathAndQuery);

    private Task<WebhookResponse> ReceiveAsync(string kind, TwilioFakeCallback request, Uri? arrivedOn = null) =>
        _engine.Get<TwilioWebhooks>().ReceiveAsync(kind, arrivedOn ?? AsSeenInside(request.Url), request.Signature, request.FormBody, TestEngine.Deadline());

    private async Task DrainCallbacksAsync() =>
        Assert.Equal(0, (await _engine.Pump().DrainAsync(QueueNames.ProviderCallbacks, null, TestEngine.Deadline())).DeadLettered);

    [Fact]
    public async Task GenuineCallbacks_ArrivingOnAnInternalUrl_AreAccepted_AndTakeEffect()
    {
        await TestEngine.RunCampaignAsync(_engine, """
            {"schemaVersion":1,"campaignId":"pu-1","name":"We miss you","audience":{"tiers":["dormant"]},
             "channels":[{"channel":"sms","template":"We miss you"}]}
            """);
        var callbacks = _twilio.StatusCallbacks(AuthToken, _ => ("delivered", null)).ToList();
        Assert.Equal(3, callbacks.Count);
        Assert.All(callbacks, c => Assert.StartsWith(PublicBase + "/api/twilio/status?deliveryId=", c.Url.AbsoluteUri, StringComparison.Ordinal));
        foreach (var callback in callbacks)
        {
            Assert.Equal(200, (await ReceiveAsync(CallbackKinds.TwilioStatus, callback)).Status);
        }

        var queued = ProviderCallback.Parse((await _engine.Get<StorageClients>().QueueAsync(QueueNames.ProviderCallbacks)).PeekMessage().Value.Body.ToString());
        Assert.StartsWith(PublicBase + "/api/twilio/status?deliveryId=", queued.Url, StringComparison.Ordinal); // recorded as Twilio called it

        var stop = TwilioFake.Inbound(new Uri(PublicBase + "/api/twilio/inbound"), "+8613900770001", "+14155550199", "退订", AuthToken);
        Assert.Equal(200, (await ReceiveAsync(CallbackKinds.TwilioInbound, stop)).Status);
        await DrainCallbacksAsync();

        Assert.All(await TestEngine.LedgerAsync(_engine, "pu-1"), r => Assert.Equal((DeliveryStates.Accepted, "delivered"), (r.State, r.ProviderStatus)));
        Assert.False((await _engine.Get<Users.UserStore>().GetAsync("pu001", TestEngine.Deadline()))!.Profile.ConsentSms);
    }

    [Fact]
    public async Task ForgedCallbacks_OrOnesSignedForTheInternalUrl_AreRefusedAndRecorded()
    {
        var inbound = new Uri(PublicBase + "/api/twilio/inbound");
        var forged = TwilioFake.Inbound(inbound, "+8613900770001", "+14155550199", "STOP", "someone-elses-token");
        var signedInside = TwilioFake.Inbound(AsSeenInside(inbound), "+8613900770002", "+14155550199", "STOP", AuthToken);
        var status = TwilioFake.SignedRequest(new Uri(PublicBase + "/api/twilio/status?deliveryId=pu-x"), new Dictionary<string, string> { ["MessageSid"] = "SM1", ["MessageStatus"] = "delivered" }, AuthToken);
        var otherQuery = AsSeenInside(new Uri(PublicBase + "/api/twilio/status?deliveryId=pu-y")); // the query is signed too

        Assert.Equal(403, (await ReceiveAsync(CallbackKinds.TwilioInbound, forged)).Status);
        Assert.Equal(403, (await ReceiveAsync(CallbackKinds.TwilioInbound, signedInside, arrivedOn: signedInside.Url)).Status);
        Assert.Equal(403, (await ReceiveAsync(CallbackKinds.TwilioStatus, status, arrivedOn: otherQuery)).Status);

        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.ProviderCallbacks));
        var errors = await TestEngine.ErrorRowsAsync(_engine, "webhook-" + CallbackKinds.TwilioInbound);
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal(
            $"X-Twilio-Signature does not match for {PublicBase}/api/twilio/inbound (arrived on {Internal.AbsoluteUri}api/twilio/inbound)", e.GetString("Error")));
        Assert.Single(await TestEngine.ErrorRowsAsync(_engine, "webhook-" + CallbackKinds.TwilioStatus));
        Assert.True((await _engine.Get<Users.UserStore>().GetAsync("pu001", TestEngine.Deadline()))!.Profile.ConsentSms);
    }
}
