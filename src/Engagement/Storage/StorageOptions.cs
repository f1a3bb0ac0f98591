using System.ComponentModel.DataAnnotations;
using Engagement.Settings;

namespace Engagement.Storage;

/// <summary>
/// Where the engine keeps its tables and queues. Either a connection string (Azurite, or an
/// account key in a pinch) or an account name used with <c>DefaultAzureCredential</c>.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    /// <summary>Connection string (Azurite); wins over <see cref="AccountName"/> when both are set. Never in Azure: no account keys there.</summary>
    [Setting(Places = SettingPlaces.Local)]
    public string? ConnectionString { get; set; }

    /// <summary>Storage account name for identity-based access (service URIs + DefaultAzureCredential).</summary>
    [Setting(Places = SettingPlaces.Azure)]
    public string? AccountName { get; set; }

    /// <summary>Client id of the user-assigned managed identity to use with <see cref="AccountName"/> (the Function App has only that one).</summary>
    [Setting(Places = SettingPlaces.Azure)]
    public string? ClientId { get; set; }

    /// <summary>
    /// Number of hash shards (partition keys) users are spread over; also the nightly job's unit
    /// of fan-out. Fixed once data exists: changing it re-homes every user. 16 keeps the nightly
    /// job's fixed cost (queue messages, shard reports) small at 100k users while still giving
    /// 16-way parallelism; raise it for millions of users (see docs/decisions.md).
    /// </summary>
    [Range(1, 1000)]
    public int UserShards { get; set; } = 16;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) && string.IsNullOrWhiteSpace(AccountName))
        {
            yield return new ValidationResult(
                "Set Storage:ConnectionString (Azurite or a key) or Storage:AccountName (managed identity).",
                [nameof(ConnectionString), nameof(AccountName)]);
        }
    }
}
