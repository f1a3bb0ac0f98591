using System.Web;
using Engagement.Delivery.Twilio;
using Engagement.Messaging;
using Engagement.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Twilio.Security;

namespace Engagement.Callbacks;

/// <summary>What a webhook answers: status code, content type and body.</summary>
public sealed record WebhookResponse(int Status, string ContentType, string Body)
{
    public static WebhookResponse Text(int status, string body) => new(status, "text/plain; charset=utf-8", body);
}

/// <summary>
/// The receiving half of Twilio's webhooks (status callbacks and inbound SMS). It only checks the
/// request is Twilio's (X-Twilio-Signature: HMAC-SHA1 of the URL and form fields with the auth
/// token, checked by Twilio's own <see cref="RequestValidator"/>) and puts it on the
/// <c>provider-callbacks</c> queue, so the answer is quick and the work gets the queue's retries and
/// dead-lettering. A request with a bad signature is refused (403) and recorded in the
/// <c>errors</c> table; nothing is enqueued.
/// </summary>
public sealed partial class TwilioWebhooks(StorageClients storage, DeadLetters deadLetters, IOptions<TwilioOptions> options, TimeProvider time, ILogger<TwilioWebhooks> log)
{
    /// <summary>Routes of the two webhooks under the HTTP route prefix (<c>api</c>: host.json keeps the default); the Functions app and <c>engage serve</c> both use these.</summary>
    public const string StatusRoute = "twilio/status";

    public const string InboundRoute = "twilio/inbound";

    public const string RoutePrefix = "api";

    /// <summary>Each webhook kind with its route.</summary>
    public static readonly IReadOnlyList<(string Kind, string Route)> Routes = [(CallbackKinds.TwilioStatus, StatusRoute), (CallbackKinds.TwilioInbound, InboundRoute)];

    // a queue message holds 64 KB; Twilio's forms are a few hundred bytes
    private const int MaxBodyChars = 20_000;

    /// <summary>TwiML for "no reply": Twilio's Advanced Opt-Out sends its own confirmation of a STOP.</summary>
    public const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

    /// <summary>
    /// The URL Twilio signed: the configured public URL of the webhook with the request's own query
    /// (a status callback's ?deliveryId=; the signature covers it). The URL the worker sees is not
    /// it on Azure (a proxy in front, another scheme, host or port), so without the configured URL
    /// every genuine callback would be refused; with none configured, the request's URL is all there is.
    /// </summary>
    public static Uri SignedUrl(Uri? publicUrl, Uri requestUrl) =>
        publicUrl is null ? requestUrl : new Uri(publicUrl.GetLeftPart(UriPartial.Path) + requestUrl.Query);

    /// <param name="requestUrl">The URL the request arrived on, as this process sees it (only its query counts once the public URL is configured).</param>
    public async Task<WebhookResponse> ReceiveAsync(string kind, Uri requestUrl, string? signature, string formBody, CancellationToken cancellationToken)
    {
        var authToken = options.Value.AuthToken;
        if (!options.Value.IsConfigured || string.IsNullOrEmpty(authToken))
        {
            return WebhookResponse.Text(404, "the SMS channel is not configured");
        }

        if (formBody.Length > MaxBodyChars)
        {
            await RecordAsync(kind, formBody[..MaxBodyChars], $"body of {formBody.Length} characters is over {MaxBodyChars}", cancellationToken);
            return WebhookResponse.Text(413, "request too large");
        }

        var url = SignedUrl(
            kind switch
            {
                CallbackKinds.TwilioStatus => options.Value.StatusCallbackUrl,
                CallbackKinds.TwilioInbound => options.Value.InboundUrl,
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a Twilio webhook"),
            },
            requestUrl);
        var parsed = HttpUtility.ParseQueryString(formBody);
        var form = parsed.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => parsed[k] ?? "", StringComparer.Ordinal);
        if (string.IsNullOrEmpty(signature) || !new RequestValidator(authToken).Validate(url.AbsoluteUri, form, signature))
        {
            // both URLs when they differ: a wrong public URL setting shows here as every request refused
            var where = url == requestUrl ? url.GetLeftPart(UriPartial.Path) : $"{url.GetLeftPart(UriPartial.Path)} (arrived on {requestUrl.GetLeftPart(UriPartial.Path)})";
            await RecordAsync(kind, formBody, $"X-Twilio-Signature {(string.IsNullOrEmpty(signature) ? "missing" : "does not match")} for {where}", cancellationToken);
            LogRefused(log, kind);
            return WebhookResponse.Text(403, "signature does not match");
        }

        var queue = await storage.QueueAsync(QueueNames.ProviderCallbacks, cancellationToken);
        await queue.SendMessageAsync(new ProviderCallback(kind, url.AbsoluteUri, form, time.GetUtcNow()).ToJson(), cancellationToken);
        return kind == CallbackKinds.TwilioInbound ? new WebhookResponse(200, "text/xml; charset=utf-8", EmptyTwiml) : WebhookResponse.Text(200, "");
    }

    private Task RecordAsync(string kind, string body, string error, CancellationToken ct) =>
        deadLetters.RecordAsync(new QueueEnvelope("webhook-" + kind, Guid.NewGuid().ToString("N"), body, 0), error, ct);

    [LoggerMessage(LogLevel.Warning, "Refused a {Kind} webhook: X-Twilio-Signature missing or wrong (recorded in the errors table)")]
    private static partial void LogRefused(ILogger logger, string kind);
}
