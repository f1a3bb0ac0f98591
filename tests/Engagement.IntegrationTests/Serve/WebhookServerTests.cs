using System.Text;
using Engagement.Callbacks;
using Engagement.Delivery;
using Engagement.Local.Fakes;
using Engagement.Local.Serve;
using Engagement.Users;

namespace Engagement.IntegrationTests.Serve;

/// <summary>
/// <c>engage serve</c>'s server in-process on a free port over Azurite: real HTTP requests signed by
/// the Twilio fake for a tunnel's public URL reach the same webhook handler as the Functions app, and
/// its pump works the callbacks off the queue into the ledger and the users table.
/// </summary>
public sealed class WebhookServerTests : IAsyncLifetime
{
    private const string AuthToken = "serve-test-token";
    private static readonly Uri Tunnel = new("https://abc.ngrok.example");
    private readonly StoppedClock _clock = new(new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero)); // noon in Shanghai
    private static readonly HttpClient Http = new();
    private TwilioFake _twilio = null!;
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _twilio = await TwilioFake.StartAsync();
        var settings = TestEngine.TwilioSettings(_twilio, AuthToken);
        foreach (var (key, value) in WebhookServer.PublicUrlSettings(Tunnel))
        {
            settings[key] = value;
        }

        _engine = await TestEngine.StartAsync(_clock, settings: settings);
        await Population.SeedSmsRecipientsAsync(_engine, "sv", "+861390066", 3, "dormant");
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    /// <summary>POSTs a request Twilio addressed to the tunnel to the server (as the tunnel would forward it).</summary>
    private async Task<(int Status, string ContentType, string Body)> PostAsync(WebhookServer server, TwilioFakeCallback request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, request.Url.PathAndQuery))
        {
            Content = new StringContent(request.FormBody, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        message.Headers.Add("X-Twilio-Signature", request.Signature);
        using var response = await Http.SendAsync(message, TestEngine.Deadline());
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until the server's pump has handled <paramref name="count"/> queue messages in all (the test's deadline bounds it).</summary>
    private static async Task HandledAsync(WebhookServer server, long count)
    {
        var deadline = TestEngine.Deadline();
        while (server.Counts.Handled + server.Counts.DeadLettered < count)
        {
            await Task.Delay(50, deadline);
        }

        Assert.Equal(0, server.Counts.DeadLettered);
    }

    [Fact]
    public async Task SignedCallbacksThroughTheTunnel_AreHandled_AndAForgedOneIsRefused()
    {
        await TestEngine.RunCampaignAsync(_engine, """
            {"schemaVersion":1,"campaignId":"sv-1","name":"We miss you","audience":{"tiers":["dormant"]},
             "channels":[{"channel":"sms","template":"We miss you"}]}
            """);
        Assert.All(_twilio.Taken, r => Assert.StartsWith("https://abc.ngrok.example/api/twilio/status?deliveryId=", r.StatusCallback, StringComparison.Ordinal));

        await using var server = await WebhookServer.StartAsync(_engine);
        Assert.Equal("127.0.0.1", server.BaseUrl.Host);
        var unreachable = "+8613900660001";
        foreach (var callback in _twilio.StatusCallbacks(AuthToken, r => r.To == unreachable ? ("undelivered", "30006") : ("delivered", null)))
        {
            var answer = await PostAsync(server, callback);
            Assert.Equal((200, ""), (answer.Status, answer.Body));
        }

        await HandledAsync(server, 3);
        var ledger = await TestEngine.LedgerAsync(_engine, "sv-1");
        Assert.Equal(["delivered", "delivered", "undelivered"], ledger.Select(r => r.ProviderStatus).Order());
        Assert.All(ledger, r => Assert.Equal(DeliveryStates.Accepted, r.State));
        var users = await _engine.Get<StorageClients>().TableAsync(TableNames.Users);
        Assert.True((await users.GetEntityAsync<Azure.Data.Tables.TableEntity>(_engine.Get<UserShards>().Of("sv001"), "sv001")).Value.GetBoolean(UserEntity.PhoneSuppressed));

        // a forged STOP is refused at the door; a genuine one after it takes effect, and only it
        var inbound = new Uri(Tunnel, "/api/twilio/inbound");
        var forged = await PostAsync(server, TwilioFake.Inbound(inbound, "+8613900660000", "+14155550199", "STOP", "someone-elses-token"));
        Assert.Equal((403, "signature does not match"), (forged.Status, forged.Body));
        var genuine = await PostAsync(server, TwilioFake.Inbound(inbound, "+8613900660002", "+14155550199", "退订", AuthToken));
        Assert.Equal((200, "text/xml", TwilioWebhooks.EmptyTwiml), genuine);

        await HandledAsync(server, 4);
        Assert.False((await _engine.Get<UserStore>().GetAsync("sv002", TestEngine.Deadline()))!.Profile.ConsentSms);
        Assert.True((await _engine.Get<UserStore>().GetAsync("sv000", TestEngine.Deadline()))!.Profile.ConsentSms);
        var refused = Assert.Single(await TestEngine.ErrorRowsAsync(_engine, "webhook-" + CallbackKinds.TwilioInbound));
        Assert.StartsWith("X-Twilio-Signature does not match for https://abc.ngrok.example/api/twilio/inbound (arrived on http://127.0.0.1:", refused.GetString("Error"), StringComparison.Ordinal);
        Assert.Equal(new WebhookServerCounts(Received: 4, Refused: 1, Handled: 4, DeadLettered: 0), server.Counts);
    }

    [Fact]
    public async Task ServesTheFunctionsAppsRoutes_AndStopsCleanly()
    {
        Assert.Equal(["/api/twilio/status", "/api/twilio/inbound"], WebhookServer.Routes.Select(r => r.Path));
        var server = await WebhookServer.StartAsync(_engine);
        var unsigned = new TwilioFakeCallback(new Uri(Tunnel, "/api/twilio/status?deliveryId=x"), "MessageSid=SM1", "");
        Assert.Equal(403, (await PostAsync(server, unsigned)).Status);
        Assert.Equal(404, (await PostAsync(server, unsigned with { Url = new Uri(Tunnel, "/api/twilio/other") })).Status);

        await server.StopAsync(); // returns once the listener and the pumps have stopped
        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(server, unsigned));
        await server.DisposeAsync();
    }
}
