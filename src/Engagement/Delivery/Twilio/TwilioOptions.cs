using System.ComponentModel.DataAnnotations;
using Engagement.Settings;

namespace Engagement.Delivery.Twilio;

/// <summary>SMS through Twilio. With no AccountSid the SMS channel is not configured (triggers using it are refused).</summary>
public sealed class TwilioOptions : ProviderOptions, IValidatableObject
{
    public const string SectionName = "Twilio";

    public string? AccountSid { get; set; }

    /// <summary>A secret: from the environment or Key Vault, never from a file in the repo.</summary>
    [Setting(Secret = true)]
    public string? AuthToken { get; set; }

    /// <summary>Send through a Messaging Service (preferred) ...</summary>
    public string? MessagingServiceSid { get; set; }

    /// <summary>... or from this number.</summary>
    public string? From { get; set; }

    /// <summary>Public URL of the engine's Twilio status webhook; each message's callback carries its delivery id.</summary>
    public Uri? StatusCallbackUrl { get; set; }

    /// <summary>
    /// Public URL of the engine's Twilio inbound-SMS webhook, as set in the Messaging Service. Like
    /// <see cref="StatusCallbackUrl"/>, it is what inbound signatures are checked against: behind a
    /// proxy the worker sees another scheme, host or port than Twilio signed. Null: the URL the request arrived on.
    /// </summary>
    public Uri? InboundUrl { get; set; }

    /// <summary>Another endpoint for Twilio's API (a loopback fake in tests and the demo). Null: api.twilio.com.</summary>
    [Setting(Places = SettingPlaces.Local)]
    public Uri? BaseUrl { get; set; }

    /// <summary>Pacing in segments per second (Twilio counts throughput in segments: a US long code 1/s, a short code ~100/s). 0: not paced here.</summary>
    [Range(0, 10_000)]
    public double SegmentsPerSecond { get; set; } = 1;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccountSid);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(AuthToken))
        {
            yield return new ValidationResult("Twilio:AuthToken is required with Twilio:AccountSid.", [nameof(AuthToken)]);
        }

        if (string.IsNullOrWhiteSpace(MessagingServiceSid) == string.IsNullOrWhiteSpace(From))
        {
            yield return new ValidationResult("Set exactly one of Twilio:MessagingServiceSid and Twilio:From.", [nameof(MessagingServiceSid)]);
        }

        // webhook signatures are checked against these: a relative or non-HTTP URL would refuse every callback
        foreach (var (name, url) in new[] { (nameof(StatusCallbackUrl), StatusCallbackUrl), (nameof(InboundUrl), InboundUrl) })
        {
            if (url is not null && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
            {
                yield return new ValidationResult($"Twilio:{name} must be an absolute http(s) URL, not '{url}'.", [name]);
            }
        }
    }
}
