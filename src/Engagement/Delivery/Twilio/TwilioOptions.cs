using System.ComponentModel.DataAnnotations;
using Engagement.Settings;

namespace Engagement.Delivery.Twilio;

/// <summary>SMS through Twilio. With no AccountSid the SMS channel is not configured (triggers using it are refused).</summary>
public sealed class TwilioOptions : IValidatableObject
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

    /// <summary>Another endpoint for Twilio's API (a loopback fake in tests and the demo). Null: api.twilio.com.</summary>
    [Setting(Places = SettingPlaces.Local)]
    public Uri? BaseUrl { get; set; }

    /// <summary>Pacing in segments per second (Twilio counts throughput in segments: a US long code 1/s, a short code ~100/s). 0: not paced here.</summary>
    [Range(0, 10_000)]
    public double SegmentsPerSecond { get; set; } = 1;

    /// <summary>One request's time limit; a send that times out is ambiguous (recorded unknown, never resent blindly).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries of a send that surely did not leave (429, connection refused).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The circuit opens when this share of sends in <see cref="CircuitSamplingDuration"/> was ambiguous or not taken...</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>...out of at least this many sends...</summary>
    [Range(2, 100_000)]
    public int CircuitMinimumThroughput { get; set; } = 20;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>...and stays open (nothing sent, deliveries back to planned) this long.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccountSid);

    public ProviderResilience Resilience() => new(MaxRetries, CircuitFailureRatio, CircuitMinimumThroughput, CircuitSamplingDuration, CircuitBreakDuration);

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
    }
}
