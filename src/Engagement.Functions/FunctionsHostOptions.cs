using System.ComponentModel.DataAnnotations;
using Engagement.Segmentation;
using Engagement.Settings;
using Microsoft.Extensions.Configuration;

namespace Engagement.Functions;

/// <summary>
/// The app settings the Functions host and its bindings read (not the engine): validated at start-up
/// like the engine's options, and listed with them in the settings catalogue.
/// </summary>
public sealed class FunctionsHostOptions : IValidatableObject
{
    /// <summary>The configuration root: these keys have no section.</summary>
    public const string SectionName = "";

    /// <summary>The timer trigger's schedule (%NightlySchedule%), six-field NCRONTAB in UTC.</summary>
    public string NightlySchedule { get; set; } = Segmentation.NightlySchedule.Default;

    /// <summary>How often the playbook timer looks for due runs (%PlaybookSchedule%); each playbook's own schedule decides what is due.</summary>
    public string PlaybookSchedule { get; set; } = Playbooks.PlaybookSchedule.TimerDefault;

    /// <summary>Local host only; Flex Consumption takes the runtime from functionAppConfig and refuses this setting.</summary>
    [ConfigurationKeyName("FUNCTIONS_WORKER_RUNTIME")]
    [Setting(Places = SettingPlaces.Local)]
    public string? WorkerRuntime { get; set; }

    /// <summary>The host's storage as a connection string: Azurite locally only.</summary>
    [ConfigurationKeyName("AzureWebJobsStorage")]
    [Setting(Places = SettingPlaces.Local)]
    public string? HostStorageConnection { get; set; }

    /// <summary>The host's storage by identity (Azure): account name, "managedidentity" and the identity's client id.</summary>
    [ConfigurationKeyName("AzureWebJobsStorage:accountName")]
    [Setting(Places = SettingPlaces.Azure)]
    public string? HostStorageAccount { get; set; }

    [ConfigurationKeyName("AzureWebJobsStorage:credential")]
    [Setting(Places = SettingPlaces.Azure)]
    public string? HostStorageCredential { get; set; }

    [ConfigurationKeyName("AzureWebJobsStorage:clientId")]
    [Setting(Places = SettingPlaces.Azure)]
    public string? HostStorageClientId { get; set; }

    /// <summary>Set: telemetry goes to Application Insights; unset: to the console.</summary>
    [ConfigurationKeyName("APPLICATIONINSIGHTS_CONNECTION_STRING")]
    [Setting(Places = SettingPlaces.Azure)]
    public string? ApplicationInsightsConnectionString { get; set; }

    /// <summary>"ClientId=...;Authorization=AAD": ingestion with the managed identity (local auth is off).</summary>
    [ConfigurationKeyName("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")]
    [Setting(Places = SettingPlaces.Azure)]
    public string? ApplicationInsightsAuthentication { get; set; }

    /// <summary>The client id in <see cref="ApplicationInsightsAuthentication"/>, if it names one.</summary>
    public string? TelemetryClientId() =>
        ApplicationInsightsAuthentication?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .FirstOrDefault(kv => kv.Length == 2 && kv[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase))?[1];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? scheduleError = null;
        try
        {
            Segmentation.NightlySchedule.Parse(NightlySchedule);
        }
        catch (FormatException ex)
        {
            scheduleError = ex.Message;
        }

        if (scheduleError is not null)
        {
            yield return new ValidationResult(scheduleError, [nameof(NightlySchedule)]);
        }

        if (Playbooks.PlaybookSchedule.Parse(PlaybookSchedule) is null)
        {
            yield return new ValidationResult($"{Playbooks.PlaybookSchedule.TimerSettingName} '{PlaybookSchedule}' is not a six-field NCRONTAB expression (sec min hour day month weekday).", [nameof(PlaybookSchedule)]);
        }

        if (string.IsNullOrWhiteSpace(HostStorageConnection) && string.IsNullOrWhiteSpace(HostStorageAccount))
        {
            yield return new ValidationResult(
                "Set AzureWebJobsStorage (a connection string, local) or AzureWebJobsStorage__accountName (identity, Azure): the host's triggers need storage.",
                ["AzureWebJobsStorage"]);
        }
    }
}
