using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Engagement.Local.Fakes;
using Engagement.Telemetry;
using Engagement.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>
/// Everything the engine writes to logs, traces and metrics during an SMS + push campaign (with
/// provider errors, throttling, timeouts, the provider look-up of unknown sends, status callbacks,
/// a 退订 reply and a forged webhook) is captured at
/// Trace level from every source, Azure SDK and HttpClient included, and searched for the
/// recipients' phone numbers and push tokens and the provider credentials. The same run checks that
/// a campaign is one trace and that sends and skips are counted by channel, outcome and reason.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai
    private const int Users = 40;
    private const string AuthToken = "tw-auth-token-7d1f0c";
    private TwilioFake _twilio = null!;
    private FcmFake _fcm = null!;
    private LocalEngine _engine = null!;
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConcurrentQueue<System.Diagnostics.Activity> _spans = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, string?> Tags)> _measurements = new();
    private ActivityListener _activityListener = null!;
    private MeterListener _meterListener = null!;

    public async Task InitializeAsync()
    {
        // every source, not just the engine's: HttpClient and the Azure SDK put URLs (query strings included) in spans
        _activityListener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_activityListener);

        _twilio = await TwilioFake.StartAsync();
        _fcm = await FcmFake.StartAsync();
        _engine = await TestEngine.StartAsync(
            new StoppedClock(Now),
            services => services.AddLogging(b => b.ClearProviders().AddProvider(_logs).SetMinimumLevel(LogLevel.Trace)),
            logLevel: LogLevel.Trace,
            settings: new Dictionary<string, string?>
            {
                ["Twilio:AccountSid"] = "ACtelemetry",
                ["Twilio:AuthToken"] = AuthToken,
                ["Twilio:From"] = "+14155550199",
                ["Twilio:BaseUrl"] = _twilio.BaseUrl.ToString(),
                ["Twilio:StatusCallbackUrl"] = "https://engage.example.com/api/twilio/status",
                ["Twilio:SegmentsPerSecond"] = "0",
                ["Twilio:MaxRetries"] = "2",
                ["Twilio:RequestTimeout"] = TestEngine.ProviderTimeout,
                ["Twilio:CircuitMinimumThroughput"] = "1000",
                ["Fcm:ProjectId"] = "engage-telemetry",
                ["Fcm:ServiceAccountJson"] = _fcm.ServiceAccountJson,
                ["Fcm:BaseUrl"] = _fcm.BaseUrl.ToString(),
                ["Delivery:NotSentRetryDelay"] = "00:00:00.200",
                ["Delivery:UnknownResolveAfter"] = "00:00:00",
            });

        // the engine's meter only (this engine's factory), so parallel test classes do not mix in
        var factory = _engine.Get<IMeterFactory>();
        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EngagementTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString()))));
        _meterListener.Start();

        await Population.SeedRecipientsAsync(_engine, Enumerable.Range(0, Users).Select(i => (User(i), new UserProfile
        {
            Phone = Phone(i),
            PushToken = Token(i),
            TimeZone = "Asia/Shanghai",
            ConsentSms = true,
            ConsentPush = i % 10 != 0, // some skipped for consent: skips by reason
            Source = "test",
        }, "dormant")));
    }

    public async Task DisposeAsync()
    {
        _meterListener.Dispose();
        _activityListener.Dispose();
        await _engine.DisposeAsync();
        await _fcm.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private static string User(int i) => $"tel{i:D3}";

    private static string Phone(int i) => "+861390077" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    private static string Token(int i) => $"push-token-{i:D3}-c4f9e2";

    private async Task RunCampaignAsync()
    {
        _twilio.Faults.ErrorCodes[Phone(1)] = 21211;   // invalid number: the user is suppressed
        _twilio.Faults.ErrorCodes[Phone(2)] = 21408;   // region not enabled: Twilio's message quotes the number
        _twilio.Faults.ThrottleTimes[Phone(3)] = 1;    // 429 once, then taken
        // ambiguous sends, later looked up at the provider: a dozen numbers' first requests time out
        _twilio.Faults.Script = c => c.Attempt == 1 && int.Parse(c.To[^4..], System.Globalization.CultureInfo.InvariantCulture) is >= 4 and < 16 ? TwilioFault.TimeoutAfterAccept : null;

        await TestEngine.RunCampaignAsync(_engine, """
            {"schemaVersion":1,"campaignId":"tel-1","name":"We miss you","audience":{"tiers":["dormant"]},
             "channels":[{"channel":"sms","template":"We miss you: 20% off until Sunday"},
                         {"channel":"push","title":"We miss you","template":"20% off until Sunday"}]}
            """);

        // unknowns are settled by listing the provider's messages filtered by the number
        _twilio.Faults.Script = null;
        await _engine.Get<Engagement.Campaigns.CampaignResume>().ResumeAsync("tel-1", TestEngine.Deadline());
        await TestEngine.DrainAsync(_engine, QueueNames.Deliveries);

        // Twilio calls back (signed status callbacks, one unreachable number, a 退订 reply), and one forged request
        var statuses = await LocalWebhooks.DeliverAsync(
            _engine, Engagement.Callbacks.CallbackKinds.TwilioStatus, _twilio.StatusCallbacks(AuthToken, r => r.To == Phone(7) ? ("undelivered", "30006") : ("delivered", null)), TestEngine.Deadline());
        var inbound = new Uri("https://engage.example.com/api/twilio/inbound");
        var replies = await LocalWebhooks.DeliverAsync(
            _engine,
            Engagement.Callbacks.CallbackKinds.TwilioInbound,
            [TwilioFake.Inbound(inbound, Phone(8), "+14155550199", "退订", AuthToken), TwilioFake.Inbound(inbound, Phone(9), "+14155550199", "STOP", "not-the-token")],
            TestEngine.Deadline());
        Assert.Equal((0, 0, 1, 1, 0), (statuses.Refused, statuses.DeadLettered, replies.Received, replies.Refused, replies.DeadLettered));
    }

    private IEnumerable<(string Where, string Text)> Captured()
    {
        foreach (var entry in _logs.Entries)
        {
            yield return ($"log {entry.Category}", entry.Text);
        }

        foreach (var span in _spans)
        {
            yield return ($"span {span.Source.Name}/{span.DisplayName}", span.DisplayName);
            foreach (var tag in span.TagObjects)
            {
                yield return ($"span {span.Source.Name}/{span.DisplayName} tag {tag.Key}", tag.Value?.ToString() ?? "");
            }

            foreach (var e in span.Events)
            {
                yield return ($"span {span.Source.Name}/{span.DisplayName} event {e.Name}", e.Name + " " + string.Join(" ", e.Tags.Select(t => t.Value?.ToString())));
            }

            foreach (var b in span.Baggage)
            {
                yield return ($"span {span.DisplayName} baggage {b.Key}", b.Value ?? "");
            }
        }

        foreach (var m in _measurements)
        {
            yield return ($"metric {m.Instrument}", string.Join(" ", m.Tags.Values));
        }
    }

    [Fact]
    public async Task NoPhoneNumberTokenOrCredentialReachesLogsTracesOrMetrics()
    {
        await RunCampaignAsync();

        // the capture is real: it saw the engine's own logs, the HTTP calls to both providers and the storage calls
        Assert.Contains(_logs.Entries, e => e.Category == "Engagement.Delivery.DeliveryWorker");
        Assert.Contains(_spans, s => s.Source.Name == "System.Net.Http" || s.OperationName.StartsWith("System.Net.Http", StringComparison.Ordinal));
        Assert.True(_twilio.Taken.Count() >= Users - 2 && !_fcm.Requests.IsEmpty, "the campaign did not reach both providers");
        // the look-up of unknown sends ran (GET Messages.json?To=<number>) and its URL was captured: the number must not be in it
        Assert.Contains(_spans, s => s.GetTagItem("http.request.method") as string == "GET" && (s.GetTagItem("url.full") as string ?? "").Contains("Messages.json?", StringComparison.Ordinal));

        var secrets = new List<(string What, string Value)> { ("Twilio auth token", AuthToken) };
        for (var i = 0; i < Users; i++)
        {
            var e164 = Phone(i);
            secrets.Add(($"phone {i}", e164));
            secrets.Add(($"phone {i} (url-encoded)", Uri.EscapeDataString(e164)));
            secrets.Add(($"phone {i} (national)", e164[3..]));
            secrets.Add(($"push token {i}", Token(i)));
        }

        var privateKey = System.Text.Json.JsonDocument.Parse(_fcm.ServiceAccountJson).RootElement.GetProperty("private_key").GetString()!;
        secrets.Add(("FCM private key", privateKey.Split('\n')[2]));
        secrets.Add(("FCM access token", "fake-access-token"));

        var leaks = (from c in Captured()
                     from s in secrets
                     where c.Text.Contains(s.Value, StringComparison.OrdinalIgnoreCase)
                     select $"{s.What} in {c.Where}: {c.Text[..Math.Min(200, c.Text.Length)]}").Distinct().Take(10).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));

        // reasons are grouped and printed (`engage campaign status`): they quote no number either
        var ledger = await TestEngine.LedgerAsync(_engine, "tel-1");
        Assert.Contains(ledger, r => r.Reason == "twilio-21408");
        Assert.All(ledger, r => Assert.DoesNotContain("+86", r.Reason ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACampaignIsOneTraceAndItsSendsAndSkipsAreCounted()
    {
        await RunCampaignAsync();

        // other test classes run campaigns at the same time: this one is "tel-1"
        var engine = _spans.Where(s => s.Source.Name == EngagementTelemetry.Name && s.GetTagItem("campaign.id") as string == "tel-1").ToList();
        var campaign = Assert.Single(engine, s => s.DisplayName == "campaign");
        var chunks = engine.Where(s => s.DisplayName == "campaign.deliver").ToList();
        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.Equal(campaign.TraceId, c.TraceId));
        // the resume (an operator's command, days later perhaps) joins the campaign's trace too
        var resume = Assert.Single(engine, s => s.DisplayName == "campaign.resume");
        Assert.Equal((campaign.TraceId, campaign.SpanId), (resume.TraceId, resume.ParentSpanId));
        Assert.All(chunks, c => Assert.Contains(c.ParentSpanId, new[] { campaign.SpanId, resume.SpanId }));

        long Count(string instrument, string channel, string key, string value) =>
            _measurements.Where(m => m.Instrument == instrument && m.Tags["channel"] == channel && m.Tags[key] == value).Sum(m => m.Value);

        var ledger = await TestEngine.LedgerAsync(_engine, "tel-1");
        int Rows(string channel, string state) => ledger.Count(r => r.Channel == channel && r.State == state);

        // every accepted ledger row was counted once as accepted, whichever attempt took it
        Assert.Equal(Rows("push", "accepted"), Count("engagement.sends", "push", "outcome", "accepted"));
        Assert.Equal(2, Count("engagement.sends", "sms", "outcome", "rejected"));
        Assert.Equal(12, Count("engagement.sends", "sms", "outcome", "unknown")); // the scripted timeouts after accept
        Assert.Equal(0, Count("engagement.sends", "sms", "outcome", "not_sent")); // the one 429 was retried inside the provider pipeline
        Assert.Equal(ledger.Count(r => r.Channel == "push" && r.Reason == "no-consent"), Count("engagement.skips", "push", "reason", "no-consent"));
        Assert.Equal(Users / 10, Count("engagement.skips", "push", "reason", "no-consent"));

        long Callbacks(string kind, string effect) =>
            _measurements.Where(m => m.Instrument == "engagement.callbacks" && m.Tags["kind"] == kind && m.Tags["effect"] == effect).Sum(m => m.Value);
        Assert.Equal(1, Callbacks("twilio-inbound", "opted-out")); // the forged one never got that far
        Assert.Equal(1, Callbacks("twilio-status", "invalid-phone"));
        Assert.Equal(_twilio.Taken.Count(r => r.StatusCallback is not null) - 1, Callbacks("twilio-status", "settled") + Callbacks("twilio-status", "status-advanced"));
    }

    /// <summary>Keeps every log record with its formatted text, structured values and exception.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, string Text)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                owner.Entries.Enqueue((category + " (scope)", state.ToString() ?? ""));
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                owner.Entries.Enqueue((category, $"{formatter(state, exception)} | {values} | {exception}"));
            }
        }
    }
}
