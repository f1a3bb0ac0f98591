using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Engagement.Delivery.Twilio;

/// <summary>
/// SMS through Twilio's own client, inside one Polly pipeline per sender:
/// retry (only what surely did not leave: 429 / 20429 and refused connections, jittered, honouring
/// Retry-After) → circuit breaker (on ambiguous or unsent outcomes) → rate limiter paced in
/// <b>segments</b> per second. The request timeout is the HttpClient's (a Polly timeout cannot
/// cancel Twilio's call). Twilio has no idempotency key, so a create is never retried once it may
/// have arrived: timeouts, 5xx and resets are <see cref="SendStatus.Unknown"/>.
/// </summary>
public sealed partial class TwilioSmsSender : IChannelSender, IDeliveryLookup, IDisposable
{

    private readonly TwilioOptions _options;
    private readonly System.Net.Http.HttpClient _http;
    private readonly TwilioRestClient _client;
    private readonly RateLimiter? _limiter;
    private readonly ProviderPipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly ILogger<TwilioSmsSender> _log;

    public TwilioSmsSender(IOptions<TwilioOptions> options, TimeProvider time, ILogger<TwilioSmsSender> log)
    {
        _options = options.Value;
        _time = time;
        _log = log;
        _http = ProviderEndpointHandler.CreateClient(_options.BaseUrl, _options.RequestTimeout, time, maxConnectionsPerServer: 64);
        _client = new TwilioRestClient(_options.AccountSid, _options.AuthToken, httpClient: new SystemNetHttpClient(_http));
        _limiter = SegmentLimiter(_options.SegmentsPerSecond);

        // retried only when Twilio surely took nothing; a 401 (our credentials) waits for a fix instead
        _pipeline = new ProviderPipeline(time, _options.Resilience(), r => r is { Status: SendStatus.NotSent, Reason: "throttled" or "connection-refused" }, _limiter);
    }

    public string Channel => Channels.Sms;

    // one pacing permit per segment: Twilio paces (and bills) segments, not messages
    public Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(ct => CreateAsync(message, ct), message.Segments, cancellationToken);

    private async Task<SendResult> CreateAsync(OutgoingMessage message, CancellationToken ct)
    {
        var create = new CreateMessageOptions(new PhoneNumber(message.To)) { Body = message.Body };
        if (!string.IsNullOrWhiteSpace(_options.MessagingServiceSid))
        {
            create.MessagingServiceSid = _options.MessagingServiceSid;
        }
        else
        {
            create.From = new PhoneNumber(_options.From);
        }

        if (_options.StatusCallbackUrl is { } callback)
        {
            // written out as configured: Twilio signs its callback over this exact URL
            create.StatusCallback = new Uri(callback.GetLeftPart(UriPartial.Path) + "?deliveryId=" + Uri.EscapeDataString(message.DeliveryId));
        }

        if (message.ExpiresAt is { } expires)
        {
            // how long the message stays useful; Twilio accepts 1-36,000 seconds
            create.ValidityPeriod = (int)Math.Clamp((expires - _time.GetUtcNow()).TotalSeconds, 1, 36_000);
        }

        try
        {
            ct.ThrowIfCancellationRequested(); // Twilio's call takes no token: do not start one we would abandon
            var created = await MessageResource.CreateAsync(create, _client);
            return new SendResult(SendStatus.Accepted, ProviderId: created.Sid);
        }
        catch (ApiException ex)
        {
            var result = Classify(ex);
            LogRefused(_log, message.DeliveryId, ex.Status, ex.Code, result.Status);
            return result;
        }
        catch (ApiConnectionException ex)
        {
            return Classify(ex);
        }
    }

    /// <summary>Twilio's message list, filtered by recipient and day, matched on the exact body we sent.</summary>
    public async Task<string?> FindAsync(string to, string body, DateTimeOffset since, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var read = new ReadMessageOptions { To = new PhoneNumber(to), DateSentAfter = since.UtcDateTime.Date, PageSize = 100 };
        foreach (var message in await MessageResource.ReadAsync(read, _client))
        {
            if (message.Body == body)
            {
                return message.Sid;
            }
        }

        return null;
    }

    /// <summary>What Twilio's answer means for the send and the user (the codes: <see cref="TwilioErrorCodes"/>), and what 429/5xx mean for a resend.</summary>
    public static SendResult Classify(ApiException ex)
    {
        if (ex.Status == 429)
        {
            return Classify(TwilioErrorCodes.OfApi(TwilioErrorCodes.TooManyRequests)!, ex.Code);
        }

        if (ex.Status == 401)
        {
            return Classify(TwilioErrorCodes.OfApi(TwilioErrorCodes.AuthenticationFailed)!, ex.Code);
        }

        if (TwilioErrorCodes.OfApi(ex.Code) is { } known)
        {
            return Classify(known, ex.Code);
        }

        // the code only: Twilio's messages quote the number ("The 'To' number +1... is not valid"), and reasons are
        // grouped, printed and logged
        return ex.Status >= 500
            ? new SendResult(SendStatus.Unknown, Reason: $"provider-{ex.Status}")
            : new SendResult(SendStatus.Rejected, Reason: $"twilio-{ex.Code}");
    }

    /// <summary>Not-sent reasons are the retry policy's words (<c>throttled</c>, <c>provider-auth</c>); rejections name the code.</summary>
    private static SendResult Classify(TwilioErrorCode known, int code) => known.Send == SendStatus.Rejected
        ? new SendResult(SendStatus.Rejected, Reason: $"twilio-{code} {known.Reason}", UserEffect: known.UserEffect)
        : new SendResult(known.Send, Reason: known.Reason, UserEffect: known.UserEffect);

    /// <summary>Refused connections never reached Twilio; anything else (timeout, reset) may have.</summary>
    public static SendResult Classify(ApiConnectionException ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return new SendResult(SendStatus.NotSent, Reason: "connection-refused");
            }

            if (inner is TaskCanceledException or TimeoutException)
            {
                return new SendResult(SendStatus.Unknown, Reason: "timeout");
            }
        }

        return new SendResult(SendStatus.Unknown, Reason: "connection: " + (ex.InnerException?.Message ?? ex.Message));
    }

    /// <summary>Tokens refill in small steps, so pacing is smooth rather than one burst per second.</summary>
    private static TokenBucketRateLimiter? SegmentLimiter(double perSecond)
    {
        if (perSecond <= 0)
        {
            return null;
        }

        var period = perSecond >= 10 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1 / perSecond);
        var tokens = perSecond >= 10 ? (int)Math.Round(perSecond / 10) : 1;
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(10, tokens), // room for one long message; the burst is at most this
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public void Dispose()
    {
        _limiter?.Dispose();
        _http.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "Twilio refused delivery {DeliveryId}: HTTP {Status}, code {Code} -> {Outcome}")]
    private static partial void LogRefused(ILogger logger, string deliveryId, int status, int code, SendStatus outcome);
}
