using System.ComponentModel.DataAnnotations;
using Engagement.Settings;

namespace Engagement.Delivery.Fcm;

/// <summary>Push through FCM HTTP v1. With no ProjectId the push channel is not configured (triggers using it are refused).</summary>
public sealed class FcmOptions : ProviderOptions, IValidatableObject
{
    public const string SectionName = "Fcm";

    public FcmOptions() => RequestTimeout = TimeSpan.FromSeconds(10);

    public string? ProjectId { get; set; }

    /// <summary>The service account's JSON key, a secret (environment or Key Vault, never a file in the repo).</summary>
    [Setting(Secret = true)]
    public string? ServiceAccountJson { get; set; }

    /// <summary>Another endpoint for the FCM API (a loopback fake). Null: https://fcm.googleapis.com.</summary>
    [Setting(Places = SettingPlaces.Local)]
    public Uri? BaseUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ProjectId);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IsConfigured && string.IsNullOrWhiteSpace(ServiceAccountJson))
        {
            yield return new ValidationResult("Fcm:ServiceAccountJson is required with Fcm:ProjectId.", [nameof(ServiceAccountJson)]);
        }
    }
}
