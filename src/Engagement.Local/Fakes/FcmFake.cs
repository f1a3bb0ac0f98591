using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Engagement.Local.Fakes;

/// <summary>One FCM send as the fake saw it: the token, title, body and collapse key, and the status answered.</summary>
public sealed record FcmFakeRequest(string Token, string? Title, string? Body, string? CollapseKey, string? Authorization, int Status, string? Name);

/// <summary>
/// An FCM HTTP v1 fake on 127.0.0.1: <c>POST /v1/projects/{p}/messages:send</c> and an OAuth2 token
/// endpoint (<c>POST /token</c>) for the service-account flow. It does not check the JWT's
/// audience (Google's) or signature. Tokens listed in <see cref="Unregistered"/> answer 404
/// UNREGISTERED; <see cref="QuotaExceeded"/> answers that many 429s with Retry-After first. Both
/// are counted or per token, never drawn: a test asserting a fault gets it on every run.
/// <see cref="ServiceAccountJson"/> is a made-up key generated at start, with token_uri here.
/// </summary>
public sealed class FcmFake : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _sequence;
    private int _quotaLeft;

    private FcmFake(WebApplication app) => _app = app;

    public ConcurrentQueue<FcmFakeRequest> Requests { get; } = new();

    public ConcurrentDictionary<string, bool> Unregistered { get; } = new(StringComparer.Ordinal);

    public int QuotaExceeded
    {
        get => Volatile.Read(ref _quotaLeft);
        set => Volatile.Write(ref _quotaLeft, value);
    }

    public int TokensIssued { get; private set; }

    public Uri BaseUrl { get; private set; } = null!;

    public string ServiceAccountJson { get; private set; } = "";

    public static async Task<FcmFake> StartAsync(CancellationToken cancellationToken = default)
    {
        FcmFake fake = null!;
        var (app, baseUrl) = await LoopbackHost.StartAsync(
            a =>
            {
                fake = new FcmFake(a);
                a.MapPost("/token", () =>
                {
                    fake.TokensIssued++;
                    return Results.Json(new Dictionary<string, object> { ["access_token"] = "fake-access-token", ["expires_in"] = 3600, ["token_type"] = "Bearer" });
                });
                a.MapPost("/v1/projects/{project}/messages:send", fake.SendAsync);
            },
            cancellationToken);
        fake.BaseUrl = baseUrl;
        using var rsa = RSA.Create(2048);
        fake.ServiceAccountJson = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "engage-local",
            ["private_key_id"] = "local",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "engage@engage-local.iam.gserviceaccount.com",
            ["client_id"] = "1",
            ["token_uri"] = new Uri(fake.BaseUrl, "/token").ToString(),
        });
        return fake;
    }

    private async Task<IResult> SendAsync(string project, HttpRequest request)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
        var message = body.GetProperty("message");
        var token = message.GetProperty("token").GetString() ?? "";
        var notification = message.TryGetProperty("notification", out var n) ? n : default;
        string? Prop(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.GetString() : null;
        var collapse = message.TryGetProperty("android", out var android) ? Prop(android, "collapse_key") : null;
        FcmFakeRequest Record(int status, string? name)
        {
            var r = new FcmFakeRequest(token, Prop(notification, "title"), Prop(notification, "body"), collapse, request.Headers.Authorization.ToString(), status, name);
            Requests.Enqueue(r);
            return r;
        }

        if (Interlocked.Decrement(ref _quotaLeft) >= 0)
        {
            Record(429, null);
            return new ErrorResult(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", retryAfterSeconds: 1);
        }

        Interlocked.Exchange(ref _quotaLeft, Math.Max(0, Volatile.Read(ref _quotaLeft)));
        if (Unregistered.ContainsKey(token))
        {
            Record(404, null);
            return new ErrorResult(404, "NOT_FOUND", "UNREGISTERED", null);
        }

        var name = $"projects/{project}/messages/0:{Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture)}";
        Record(200, name);
        return Results.Json(new Dictionary<string, string> { ["name"] = name });
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(_app);

    private sealed class ErrorResult(int status, string grpcStatus, string fcmCode, int? retryAfterSeconds) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            if (retryAfterSeconds is { } s)
            {
                httpContext.Response.Headers.RetryAfter = s.ToString(CultureInfo.InvariantCulture);
            }

            await httpContext.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["error"] = new Dictionary<string, object>
                {
                    ["code"] = status,
                    ["status"] = grpcStatus,
                    ["message"] = fcmCode,
                    ["details"] = new object[] { new Dictionary<string, string> { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = fcmCode } },
                },
            });
        }
    }
}
