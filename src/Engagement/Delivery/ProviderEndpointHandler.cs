using System.Runtime.CompilerServices;

namespace Engagement.Delivery;

/// <summary>
/// Points a provider's client at another base address (Twilio's client has no base-URL option):
/// scheme, host and port are replaced, the path and query kept. Also notes a 429's Retry-After
/// for the retry strategy, which Twilio's exceptions do not expose.
/// </summary>
public sealed class ProviderEndpointHandler(Uri? baseUrl, TimeProvider time) : DelegatingHandler
{
    private static readonly AsyncLocal<StrongBox<TimeSpan?>?> RetryAfterSlot = new();

    /// <summary>
    /// A provider's HttpClient: this handler over a pooled socket handler, with the request timeout
    /// (a send that exceeds it is ambiguous: the caller records it unknown, never resends blindly).
    /// </summary>
    public static HttpClient CreateClient(Uri? baseUrl, TimeSpan requestTimeout, TimeProvider time, int maxConnectionsPerServer = int.MaxValue)
    {
        var transport = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2), // DNS changes are picked up
            MaxConnectionsPerServer = maxConnectionsPerServer,
        };
        return new HttpClient(new ProviderEndpointHandler(baseUrl, time) { InnerHandler = transport }) { Timeout = requestTimeout };
    }

    /// <summary>Opens a slot the next requests of this async flow report Retry-After into.</summary>
    public static StrongBox<TimeSpan?> CaptureRetryAfter() => RetryAfterSlot.Value = new StrongBox<TimeSpan?>(null);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (baseUrl is not null && request.RequestUri is { } uri)
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = baseUrl.Scheme, Host = baseUrl.Host, Port = baseUrl.Port }.Uri;
        }

        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode == 429 && RetryAfterSlot.Value is { } slot)
        {
            slot.Value = response.Headers.RetryAfter?.Delta
                ?? (response.Headers.RetryAfter?.Date is { } at ? at - time.GetUtcNow() : null);
        }

        return response;
    }
}

