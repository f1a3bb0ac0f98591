using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Engagement.Local.Fakes;

/// <summary>A webhook request as Twilio would send it: where to, the form-encoded body, X-Twilio-Signature.</summary>
public sealed record TwilioFakeCallback(Uri Url, string FormBody, string Signature);

/// <summary>One create-message request as the fake saw it, and what it answered.</summary>
public sealed record TwilioFakeRequest(string To, string Body, string? From, string? MessagingServiceSid, string? StatusCallback, int? ValidityPeriod, int Status, string? Sid)
{
    /// <summary>When it arrived (Stopwatch ticks): pacing is measured from these.</summary>
    public long ArrivedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();
}

/// <summary>
/// A Twilio-compatible Messages API on 127.0.0.1 (a free port) for tests, benchmarks and the demo:
/// <c>POST /2010-04-01/Accounts/{sid}/Messages.json</c> and <c>GET .../Messages.json</c> (list, for
/// lookups). Records every request; <see cref="Faults"/> injects 5xx, 429 with Retry-After,
/// timeouts and latency, scripted or drawn from a seed (<see cref="TwilioFakeOptions"/>), never
/// from a shared random source. Twilio's own C# client talks to it through Twilio:BaseUrl.
/// </summary>
public sealed class TwilioFake : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly int _seed;
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private long _sequence;
    private long _index;
    private int _held;

    private TwilioFake(WebApplication app, TwilioFakeOptions options)
    {
        _app = app;
        _seed = options.Seed;
    }

    public TwilioFaults Faults { get; } = new();

    public ConcurrentQueue<TwilioFakeRequest> Requests { get; } = new();

    /// <summary>The messages the fake took (whatever it answered): what really went out.</summary>
    public IEnumerable<TwilioFakeRequest> Taken => Requests.Where(r => r.Sid is not null);

    /// <summary>Requests held right now (<see cref="TwilioFault.TimeoutAfterAccept"/>, <see cref="TwilioFault.Hang"/>), waiting for their client to give up.</summary>
    public int Held => Volatile.Read(ref _held);

    public Uri BaseUrl { get; private set; } = null!;

    public static Task<TwilioFake> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new TwilioFakeOptions(), cancellationToken);

    public static async Task<TwilioFake> StartAsync(TwilioFakeOptions options, CancellationToken cancellationToken = default)
    {
        TwilioFake fake = null!;
        var (app, baseUrl) = await LoopbackHost.StartAsync(
            a =>
            {
                fake = new TwilioFake(a, options);
                a.MapPost("/2010-04-01/Accounts/{account}/Messages.json", fake.CreateAsync);
                a.MapGet("/2010-04-01/Accounts/{account}/Messages.json", fake.List);
            },
            cancellationToken);
        fake.BaseUrl = baseUrl;
        return fake;
    }

    private async Task<IResult> CreateAsync(string account, HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var to = form["To"].ToString();
        var body = form["Body"].ToString();
        int? validity = int.TryParse(form["ValidityPeriod"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
        TwilioFakeRequest Record(int status, string? sid)
        {
            var r = new TwilioFakeRequest(to, body, form["From"].FirstOrDefault(), form["MessagingServiceSid"].FirstOrDefault(), form["StatusCallback"].FirstOrDefault(), validity, status, sid);
            Requests.Enqueue(r);
            return r;
        }

        var call = new TwilioCall(Interlocked.Increment(ref _index), to, _attempts.AddOrUpdate(to, 1, (_, n) => n + 1));
        if (Faults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(Faults.Latency);
        }

        var fault = Faults.Decide(call, _seed);
        if (fault is null && Faults.ErrorCodes.TryGetValue(to, out var code))
        {
            Record(400, null);
            return Results.Json(new { code, message = $"The 'To' number {to} is not a valid phone number (fake error {code})", more_info = $"https://www.twilio.com/docs/errors/{code}", status = 400 }, statusCode: 400);
        }

        switch (fault ?? TwilioFault.None)
        {
            case TwilioFault.Throttle:
                Record(429, null);
                return new RetryAfterResult(Faults.RetryAfter);
            case TwilioFault.Hang:
                await HoldAsync(request.HttpContext, () => Record(499, null)); // nginx's "client closed request": nothing was taken
                return Results.StatusCode(499);
        }

        var sid = "SM" + Interlocked.Increment(ref _sequence).ToString("x32", CultureInfo.InvariantCulture);
        Record(fault == TwilioFault.ServerErrorAfterAccept ? 500 : 201, sid);
        if (fault == TwilioFault.ServerErrorAfterAccept)
        {
            return Results.Json(new { code = 20500, message = "internal error", status = 500 }, statusCode: 500);
        }

        if (fault == TwilioFault.TimeoutAfterAccept)
        {
            await HoldAsync(request.HttpContext, null);
        }

        return Results.Json(Message(sid, to, body), statusCode: 201);
    }

    /// <summary>
    /// Holds a request until its client gives up (HttpClient's timeout closes the connection) or goes
    /// away, or the fake stops: the outcome never depends on how long anyone waits. <paramref name="released"/>
    /// runs before <see cref="Held"/> drops, so a test that saw it drop sees what it recorded.
    /// </summary>
    private async Task HoldAsync(HttpContext context, Action? released)
    {
        Interlocked.Increment(ref _held);
        try
        {
            using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            await Task.Delay(Timeout.InfiniteTimeSpan, gone.Token);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            released?.Invoke();
            Interlocked.Decrement(ref _held);
        }
    }

    private IResult List(string account, HttpRequest request)
    {
        var to = request.Query["To"].ToString();
        var messages = Taken.Where(r => to.Length == 0 || r.To == to).Select(r => Message(r.Sid!, r.To, r.Body)).ToList();
        return Results.Json(new Dictionary<string, object?> { ["messages"] = messages, ["next_page_uri"] = null, ["page"] = 0, ["page_size"] = messages.Count });
    }

    private static Dictionary<string, object?> Message(string sid, string to, string body) => new()
    {
        ["sid"] = sid,
        ["status"] = "queued",
        ["to"] = to,
        ["body"] = body,
        ["num_segments"] = "1",
        ["direction"] = "outbound-api",
    };

    /// <summary>The account the fake stands for: plainly not a real SID (those are "AC" + 32 hex digits).</summary>
    public const string AccountSid = "AC-loopback-fake";

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync(); // held requests end now, not at the host's shutdown timeout
        await LoopbackHost.StopAsync(_app);
        _stopping.Dispose();
    }

    /// <summary>
    /// What Twilio would POST to each taken message's StatusCallback, signed as Twilio signs
    /// (X-Twilio-Signature: base64 HMAC-SHA1 with the auth token over the URL and the form fields,
    /// sorted by name). <paramref name="outcome"/> picks each message's final status and error code.
    /// </summary>
    public IEnumerable<TwilioFakeCallback> StatusCallbacks(string authToken, Func<TwilioFakeRequest, (string Status, string? ErrorCode)> outcome) =>
        Taken.Where(r => r.StatusCallback is not null).Select(r =>
        {
            var (status, error) = outcome(r);
            var form = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["AccountSid"] = AccountSid, ["MessageSid"] = r.Sid!, ["SmsSid"] = r.Sid!,
                ["MessageStatus"] = status, ["SmsStatus"] = status, ["To"] = r.To, ["From"] = r.From ?? "", ["ApiVersion"] = "2010-04-01",
            };
            if (error is not null)
            {
                form["ErrorCode"] = error;
            }

            return SignedRequest(new Uri(r.StatusCallback!), form, authToken);
        });

    /// <summary>What Twilio would POST to the inbound-message webhook when <paramref name="from"/> texts <paramref name="body"/>.</summary>
    public static TwilioFakeCallback Inbound(Uri webhook, string from, string to, string body, string authToken) =>
        SignedRequest(webhook, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AccountSid"] = AccountSid, ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"),
            ["From"] = from, ["To"] = to, ["Body"] = body, ["NumMedia"] = "0", ["ApiVersion"] = "2010-04-01",
        }, authToken);

    /// <summary>Any form POSTed to <paramref name="url"/>, signed with <paramref name="authToken"/> as Twilio signs.</summary>
    public static TwilioFakeCallback SignedRequest(Uri url, IReadOnlyDictionary<string, string> form, string authToken)
    {
        var data = new System.Text.StringBuilder(url.AbsoluteUri);
        foreach (var (key, value) in form.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }

#pragma warning disable CA5350 // HMAC-SHA1 is Twilio's signature scheme; the fake reproduces it, it protects nothing here
        var signature = Convert.ToBase64String(System.Security.Cryptography.HMACSHA1.HashData(
            System.Text.Encoding.UTF8.GetBytes(authToken), System.Text.Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
        var body = string.Join("&", form.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        return new TwilioFakeCallback(url, body, signature);
    }

    private sealed class RetryAfterResult(TimeSpan retryAfter) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = 429;
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            httpContext.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(httpContext.Response.Body, new Dictionary<string, object> { ["code"] = 20429, ["message"] = "Too Many Requests", ["status"] = 429 });
        }
    }
}
