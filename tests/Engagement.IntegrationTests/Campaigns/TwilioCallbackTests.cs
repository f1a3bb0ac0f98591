using Engagement.Callbacks;
using Engagement.Delivery;
using Engagement.Local.Fakes;
using Engagement.Users;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// Twilio's webhooks on Azurite: signed status callbacks settle ambiguous sends and suppress dead
/// numbers, inbound STOP / 退订 removes SMS consent, and a bad signature or a malformed callback is
/// refused or dead-lettered with a record. Requests are signed by the Twilio fake the way Twilio
/// documents it (HMAC-SHA1 over the URL and the sorted form fields), independently of the code under test.
/// </summary>
public sealed class TwilioCallbackTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai
    private const int Users = 12;
    private const string AuthToken = "callback-test-token";
    private const string StatusUrl = "https://engage.example.com/api/twilio/status";
    private static readonly Uri InboundUrl = new("https://engage.example.com/api/twilio/inbound");
    private readonly StoppedClock _clock = new(Now);
    private TwilioFake _twilio = null!;
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _twilio = await TwilioFake.StartAsync();
        _engine = await TestEngine.StartAsync(_clock, settings: TestEngine.TwilioSettings(
            _twilio,
            AuthToken,
            ("Twilio:StatusCallbackUrl", StatusUrl),
            ("Twilio:MaxRetries", "0"),
            ("Twilio:RequestTimeout", TestEngine.ProviderTimeout),
            ("Twilio:CircuitMinimumThroughput", "1000"),
            ("Delivery:UnknownResolveAfter", "1.00:00:00"))); // callbacks, not look-ups, settle the unknowns here
        await Population.SeedSmsRecipientsAsync(_engine, "cb", "+861390088", Users, "dormant");
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private static string User(int i) => $"cb{i:D3}";

    private static string Phone(int i) => "+861390088" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    // signed by the fake, which implements Twilio's documented scheme on its own (the code under test uses Twilio's RequestValidator)
    private async Task<WebhookResponse> PostAsync(string kind, Uri url, Dictionary<string, string> form, string? signature = null)
    {
        var request = TwilioFake.SignedRequest(url, form, AuthToken);
        return await _engine.Get<TwilioWebhooks>().ReceiveAsync(kind, url, signature ?? request.Signature, request.FormBody, TestEngine.Deadline());
    }

    private Task<WebhookResponse> StatusAsync(TwilioFakeRequest sent, string status, string? errorCode = null)
    {
        var form = new Dictionary<string, string> { ["MessageSid"] = sent.Sid!, ["MessageStatus"] = status, ["AccountSid"] = "ACcallbacks", ["To"] = sent.To };
        if (errorCode is not null)
        {
            form["ErrorCode"] = errorCode;
        }

        return PostAsync(CallbackKinds.TwilioStatus, new Uri(sent.StatusCallback!), form);
    }

    private async Task DrainCallbacksAsync() =>
        Assert.Equal(0, (await _engine.Pump().DrainAsync(QueueNames.ProviderCallbacks, null, TestEngine.Deadline())).DeadLettered);

    private Task RunCampaignAsync(string id, string tier = "dormant") => TestEngine.RunCampaignAsync(_engine, $$"""
        {"schemaVersion":1,"campaignId":"{{id}}","name":"We miss you","audience":{"tiers":["{{tier}}"]},
         "channels":[{"channel":"sms","template":"We miss you: 20% off until Sunday"}]}
        """);

    private async Task<(string? State, string? Reason)> SmsToAsync(string campaignId, int user) =>
        (await TestEngine.LedgerAsync(_engine, campaignId)).Where(r => r.UserId == User(user)).Select(r => (r.State, r.Reason)).Single();

    /// <summary>Moves one user to the regular tier (no dormant monthly SMS cap) for tests that send to them several times.</summary>
    private async Task MakeRegularAsync(int user)
    {
        var users = await _engine.Get<StorageClients>().TableAsync(TableNames.Users);
        await users.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(_engine.Get<UserShards>().Of(User(user)), User(user)) { [UserEntity.Tier] = "regular" }, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);
    }

    private Task ImportAsync(int user, string phone, bool consentSms) =>
        _engine.Get<UserStore>().UpsertProfilesAsync([(User(user), new UserProfile { Phone = phone, TimeZone = "Asia/Shanghai", ConsentSms = consentSms, Source = "import" })], 1, TestEngine.Deadline());

    private async Task ReplyAsync(int user, string body)
    {
        await PostAsync(CallbackKinds.TwilioInbound, InboundUrl, new Dictionary<string, string> { ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["From"] = Phone(user), ["To"] = "+14155550199", ["Body"] = body });
        await DrainCallbacksAsync();
    }

    [Fact]
    public async Task StatusCallbacks_SettleAmbiguousSends_OnlyMoveForward_AndRepeatHarmlessly()
    {
        _twilio.Faults.Script = _ => TwilioFault.TimeoutAfterAccept; // Twilio takes every message, the engine never hears back
        await RunCampaignAsync("cb-1");
        var ledger = await TestEngine.LedgerAsync(_engine, "cb-1");
        Assert.All(ledger, r => Assert.Equal(DeliveryStates.Unknown, r.State));

        var sent = _twilio.Taken.ToList();
        Assert.Equal(Users, sent.Count);
        foreach (var s in sent)
        {
            Assert.StartsWith(StatusUrl + "?deliveryId=", s.StatusCallback, StringComparison.Ordinal);
            Assert.Equal(200, (await StatusAsync(s, "sent")).Status);
            Assert.Equal(200, (await StatusAsync(s, "delivered")).Status);
        }

        await DrainCallbacksAsync();
        ledger = await TestEngine.LedgerAsync(_engine, "cb-1");
        Assert.All(ledger, r => Assert.Equal((DeliveryStates.Accepted, "delivered", "status-callback"), (r.State, r.ProviderStatus, r.SettledBy)));
        Assert.Equal(sent.Select(s => s.Sid).Order(), ledger.Select(r => r.ProviderId).Order());

        // late and repeated callbacks: an older status never overwrites a newer one
        foreach (var s in sent)
        {
            await StatusAsync(s, "queued");
            await StatusAsync(s, "delivered");
        }

        await DrainCallbacksAsync();
        Assert.All(await TestEngine.LedgerAsync(_engine, "cb-1"), r => Assert.Equal("delivered", r.ProviderStatus));

        // settled means sent: a resume sends nothing again
        _twilio.Faults.Script = null;
        await _engine.Get<Engagement.Campaigns.CampaignResume>().ResumeAsync("cb-1", TestEngine.Deadline());
        await TestEngine.DrainAsync(_engine, QueueNames.Deliveries);
        Assert.Equal(Users, _twilio.Taken.Count());
    }

    [Fact]
    public async Task UndeliveredToAnUnreachableNumber_SuppressesIt_AndTheNextCampaignSkipsIt()
    {
        await RunCampaignAsync("cb-2");
        var sent = _twilio.Taken.Single(r => r.To == Phone(3));
        await StatusAsync(sent, "undelivered", errorCode: "30006");
        await DrainCallbacksAsync();

        var users = await _engine.Get<StorageClients>().TableAsync(TableNames.Users);
        var user = await users.GetEntityAsync<Azure.Data.Tables.TableEntity>(_engine.Get<UserShards>().Of(User(3)), User(3));
        Assert.True(user.Value.GetBoolean(UserEntity.PhoneSuppressed));
        var row = (await TestEngine.LedgerAsync(_engine, "cb-2")).Single(r => r.UserId == User(3));
        Assert.Equal((DeliveryStates.Accepted, "undelivered", "30006"), (row.State, row.ProviderStatus, row.ProviderError));

        await RunCampaignAsync("cb-3");
        var next = (await TestEngine.LedgerAsync(_engine, "cb-3")).Single(r => r.UserId == User(3));
        Assert.Equal((DeliveryStates.Skipped, "phone-suppressed"), (next.State, next.Reason));
    }

    [Theory]
    [InlineData("退订")]
    [InlineData(" stop ")]
    [InlineData("Ｔ")]
    public async Task InboundOptOut_RemovesSmsConsent_AndTheNextCampaignSkipsTheUser(string body)
    {
        var response = await PostAsync(CallbackKinds.TwilioInbound, InboundUrl, new Dictionary<string, string> { ["MessageSid"] = "SMin1", ["From"] = Phone(5), ["To"] = "+14155550199", ["Body"] = body });
        Assert.Equal((200, TwilioWebhooks.EmptyTwiml), (response.Status, response.Body));
        await PostAsync(CallbackKinds.TwilioInbound, InboundUrl, new Dictionary<string, string> { ["MessageSid"] = "SMin2", ["From"] = Phone(6), ["To"] = "+14155550199", ["Body"] = "thanks, see you" });
        await DrainCallbacksAsync();

        var optedOut = await _engine.Get<UserStore>().GetAsync(User(5), TestEngine.Deadline());
        Assert.False(optedOut!.Profile.ConsentSms);
        Assert.True((await _engine.Get<UserStore>().GetAsync(User(6), TestEngine.Deadline()))!.Profile.ConsentSms); // not a keyword

        await RunCampaignAsync("cb-4");
        var ledger = await TestEngine.LedgerAsync(_engine, "cb-4");
        Assert.Equal((DeliveryStates.Skipped, "no-consent"), ledger.Where(r => r.UserId == User(5)).Select(r => (r.State, r.Reason)).Single());
        Assert.DoesNotContain(_twilio.Taken, r => r.To == Phone(5));
        Assert.Contains(_twilio.Taken, r => r.To == Phone(6));
    }

    [Fact]
    public async Task AStopHoldsAgainstAnImportedConsent_UntilTheUserRepliesStart()
    {
        await MakeRegularAsync(5);
        await RunCampaignAsync("cb-5a", "regular");
        Assert.Equal((DeliveryStates.Accepted, null), await SmsToAsync("cb-5a", 5));

        await ReplyAsync(5, "退订");
        await ImportAsync(5, Phone(5), consentSms: true); // the app's profile export still says yes
        await RunCampaignAsync("cb-5b", "regular");
        Assert.Equal((DeliveryStates.Skipped, "opted-out"), await SmsToAsync("cb-5b", 5));

        _clock.Advance(TimeSpan.FromMinutes(5)); // the user thinks again
        await ReplyAsync(5, "START");
        await RunCampaignAsync("cb-5c", "regular");
        Assert.Equal((DeliveryStates.Accepted, null), await SmsToAsync("cb-5c", 5));
        Assert.Equal(2, _twilio.Taken.Count(r => r.To == Phone(5)));
    }

    [Fact]
    public async Task ASuppressedNumber_IsSentToAgainOnceTheProfileHasANewOne()
    {
        await MakeRegularAsync(3);
        await RunCampaignAsync("cb-6a", "regular");
        await StatusAsync(_twilio.Taken.Single(r => r.To == Phone(3)), "undelivered", errorCode: "30005");
        await DrainCallbacksAsync();
        await RunCampaignAsync("cb-6b", "regular");
        Assert.Equal((DeliveryStates.Skipped, "phone-suppressed"), await SmsToAsync("cb-6b", 3));

        const string newNumber = "+8613700990003";
        await ImportAsync(3, newNumber, consentSms: true);
        await RunCampaignAsync("cb-6c", "regular");
        Assert.Equal((DeliveryStates.Accepted, null), await SmsToAsync("cb-6c", 3));
        Assert.Single(_twilio.Taken, r => r.To == newNumber);
    }

    [Fact]
    public async Task ABadOrMissingSignature_IsRefusedAndRecorded_AndNothingIsQueued()
    {
        var form = new Dictionary<string, string> { ["MessageSid"] = "SMx", ["From"] = Phone(1), ["Body"] = "STOP" };
        var forged = await PostAsync(CallbackKinds.TwilioInbound, InboundUrl, form, signature: TwilioFake.SignedRequest(InboundUrl, form, "someone-elses-token").Signature);
        var missing = await _engine.Get<TwilioWebhooks>().ReceiveAsync(CallbackKinds.TwilioInbound, InboundUrl, null, TwilioFake.SignedRequest(InboundUrl, form, AuthToken).FormBody, TestEngine.Deadline());
        // the same signature for another URL (a replay against another endpoint) does not count either
        var moved = await PostAsync(CallbackKinds.TwilioInbound, new Uri("https://engage.example.com/api/twilio/status"), form, signature: TwilioFake.SignedRequest(InboundUrl, form, AuthToken).Signature);

        Assert.Equal([403, 403, 403], new[] { forged.Status, missing.Status, moved.Status });
        Assert.Equal(0, await TestEngine.ApproximateCountAsync(_engine, QueueNames.ProviderCallbacks));
        var errors = await TestEngine.ErrorRowsAsync(_engine, "webhook-" + CallbackKinds.TwilioInbound);
        Assert.Equal(2, errors.Count(e => e.GetString("Error")!.Contains("does not match", StringComparison.Ordinal)));
        Assert.Single(errors, e => e.GetString("Error")!.Contains("missing", StringComparison.Ordinal));
        Assert.True((await _engine.Get<UserStore>().GetAsync(User(1), TestEngine.Deadline()))!.Profile.ConsentSms);
    }

    [Theory]
    [InlineData("", "delivered", "without MessageSid")]
    [InlineData("SM1", "teleported", "unknown MessageStatus 'teleported'")]
    public async Task AMalformedSignedCallback_IsDeadLetteredWithItsReason(string sid, string status, string error)
    {
        var url = new Uri(StatusUrl + "?deliveryId=" + Uri.EscapeDataString("cb-9_s00/sms|1|cb000"));
        var form = new Dictionary<string, string> { ["MessageSid"] = sid, ["MessageStatus"] = status };
        Assert.Equal(200, (await PostAsync(CallbackKinds.TwilioStatus, url, form)).Status);

        var body = (await _engine.Get<StorageClients>().QueueAsync(QueueNames.ProviderCallbacks)).PeekMessage().Value.Body.ToString();
        await _engine.Pump().DrainAsync(QueueNames.ProviderCallbacks, null, TestEngine.Deadline());
        await TestEngine.AssertDeadLetteredAsync(_engine, QueueNames.ProviderCallbacks, body, error);
    }

    [Fact]
    public async Task ACallbackForADeliveryThatDoesNotExist_IsDeadLettered()
    {
        var url = new Uri(StatusUrl + "?deliveryId=" + Uri.EscapeDataString("nope_s01/sms|1|cb001"));
        await PostAsync(CallbackKinds.TwilioStatus, url, new Dictionary<string, string> { ["MessageSid"] = "SM2", ["MessageStatus"] = "delivered" });
        var body = (await _engine.Get<StorageClients>().QueueAsync(QueueNames.ProviderCallbacks)).PeekMessage().Value.Body.ToString();
        await _engine.Pump().DrainAsync(QueueNames.ProviderCallbacks, null, TestEngine.Deadline());
        await TestEngine.AssertDeadLetteredAsync(_engine, QueueNames.ProviderCallbacks, body, "no delivery 'nope_s01/sms|1|cb001'");
    }
}
