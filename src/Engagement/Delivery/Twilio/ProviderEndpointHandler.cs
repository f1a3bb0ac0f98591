using System.Runtime.CompilerServices;

namespace Engagement.Delivery.Twilio;

/// <summary>
/// Points a provider's client at another base address (Twilio's client has no base-URL option):
/// scheme, host and port are replaced, the path and query kept. Also notes a 429's Retry-After
/// for the retry strategy, which Twilio's exceptions do not expose.
/// </summary>
public sealed class ProviderEndpointHandler(Uri? baseUrl, TimeProvider time) : DelegatingHandler
{
    private static readonly AsyncLocal<StrongBox<TimeSpan?>?> RetryAfterSlot = new();

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

