using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;

namespace Engagement.Delivery.Fcm;

/// <summary>
/// Push through FCM HTTP v1 with an OAuth2 bearer from the service account (Google.Apis.Auth),
/// inside a Polly pipeline: retry only what FCM refused before accepting it (429 QUOTA_EXCEEDED,
/// 503 UNAVAILABLE, honouring Retry-After), circuit breaker. FCM has no idempotency key, so the
/// delivery id goes in as the collapse key (a duplicate that did slip through replaces, not adds)
/// and anything that may have been accepted (timeouts, 500) is <see cref="SendStatus.Unknown"/>.
/// UNREGISTERED means the token is dead: the user's token is removed.
/// </summary>
public sealed class FcmPushSender : IChannelSender, IDisposable
{
    private const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    private readonly FcmOptions _options;
    private readonly HttpClient _http;
    private readonly ITokenAccess _token;
    private readonly ProviderPipeline _pipeline;

    public FcmPushSender(IOptions<FcmOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _http = ProviderEndpointHandler.CreateClient(_options.BaseUrl, _options.RequestTimeout, time);
        _token = (ITokenAccess)CredentialFactory.FromJson<ServiceAccountCredential>(_options.ServiceAccountJson!).ToGoogleCredential().CreateScoped(Scope);
        // retried only what FCM refused before taking it (QUOTA_EXCEEDED, UNAVAILABLE, a failed token fetch)
        _pipeline = new ProviderPipeline(time, _options.Resilience(), r => r.Status == SendStatus.NotSent);
    }

    public string Channel => Channels.Push;

    public Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(ct => SendOnceAsync(message, ct), permits: 1, cancellationToken);

    private async Task<SendResult> SendOnceAsync(OutgoingMessage message, CancellationToken ct)
    {
        string bearer;
        try
        {
            bearer = await _token.GetAccessTokenForRequestAsync(cancellationToken: ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or Google.GoogleApiException or Google.Apis.Auth.OAuth2.Responses.TokenResponseException or TaskCanceledException)
        {
            return new SendResult(SendStatus.NotSent, Reason: "auth: " + ex.GetType().Name); // nothing was sent yet
        }

        var body = new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["token"] = message.To,
                ["notification"] = new JsonObject { ["title"] = message.Title, ["body"] = message.Body },
                ["data"] = new JsonObject { ["deliveryId"] = message.DeliveryId, ["campaignId"] = message.CampaignId },
                ["android"] = new JsonObject { ["collapse_key"] = CollapseKey(message.DeliveryId) },
                ["apns"] = new JsonObject { ["headers"] = new JsonObject { ["apns-collapse-id"] = CollapseKey(message.DeliveryId) } },
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://fcm.googleapis.com/v1/projects/{_options.ProjectId}/messages:send")
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return new SendResult(SendStatus.NotSent, Reason: "connection-refused");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            return new SendResult(SendStatus.Unknown, Reason: ex is HttpRequestException ? "connection: " + ex.Message : "timeout");
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                var sent = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                return new SendResult(SendStatus.Accepted, ProviderId: sent.TryGetProperty("name", out var name) ? name.GetString() : null);
            }

            return Classify(response.StatusCode, await ErrorCodeAsync(response, ct));
        }
    }

    /// <summary>FCM v1 errors by HTTP status and the FCM error code in the details.</summary>
    public static SendResult Classify(HttpStatusCode status, string? errorCode) => ((int)status, errorCode) switch
    {
        (_, "UNREGISTERED") or (404, _) => new SendResult(SendStatus.Rejected, Reason: "fcm UNREGISTERED", UserEffect: Users.UserEffect.PushTokenInvalid),
        (429, _) or (_, "QUOTA_EXCEEDED") => new SendResult(SendStatus.NotSent, Reason: "throttled"),
        (503, _) or (_, "UNAVAILABLE") => new SendResult(SendStatus.NotSent, Reason: "unavailable"),
        (>= 500, _) => new SendResult(SendStatus.Unknown, Reason: $"provider-{(int)status}"),
        _ => new SendResult(SendStatus.Rejected, Reason: $"fcm {errorCode ?? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)}"),
    };

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var error = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("error");
            if (error.TryGetProperty("details", out var details))
            {
                foreach (var d in details.EnumerateArray())
                {
                    if (d.TryGetProperty("errorCode", out var code))
                    {
                        return code.GetString();
                    }
                }
            }

            return error.TryGetProperty("status", out var s) ? s.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>FCM collapse keys are short: a stable hash of the delivery id.</summary>
    private static string CollapseKey(string deliveryId) =>
        Convert.ToHexString(System.IO.Hashing.XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes(deliveryId))).ToLowerInvariant();

    public void Dispose() => _http.Dispose();
}
