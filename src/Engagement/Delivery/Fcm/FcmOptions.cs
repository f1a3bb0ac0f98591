using System.ComponentModel.DataAnnotations;
using Engagement.Settings;

namespace Engagement.Delivery.Fcm;

/// <summary>Push through FCM HTTP v1. With no ProjectId the push channel is not configured (triggers using it are refused).</summary>
public sealed class FcmOptions : IValidatableObject
{
    public const string SectionName = "Fcm";

    public string? ProjectId { get; set; }

    /// <summary>The service account's JSON key, a secret (environment or Key Vault, never a file in the repo).</summary>
    [Setting(Secret = true)]
    public string? ServiceAccountJson { get; set; }

    /// <summary>Another endpoint for the FCM API (a loopback fake). Null: https://fcm.googleapis.com.</summary>
    [Setting(Places = SettingPlaces.Local)]
    public Uri? BaseUrl { get; set; }

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The circuit opens when this share of pushes in <see cref="CircuitSamplingDuration"/> was ambiguous or not taken...</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>...out of at least this many...</summary>
    [Range(2, 100_000)]
    public int CircuitMinimumThroughput { get; set; } = 20;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>...and stays open (nothing sent, deliveries back to planned) this long.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ProjectId);

    public ProviderResilience Resilience() => new(MaxRetries, CircuitFailureRatio, CircuitMinimumThroughput, CircuitSamplingDuration, CircuitBreakDuration);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IsConfigured && string.IsNullOrWhiteSpace(ServiceAccountJson))
        {
            yield return new ValidationResult("Fcm:ServiceAccountJson is required with Fcm:ProjectId.", [nameof(ServiceAccountJson)]);
        }
    }
}
