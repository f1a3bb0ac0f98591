namespace Engagement.Settings;

/// <summary>Where a setting is given a value: the README table, local.settings.example.json and the Bicep app settings follow this.</summary>
[Flags]
public enum SettingPlaces
{
    /// <summary>A developer machine (local.settings.json, environment, engage.json).</summary>
    Local = 1,

    /// <summary>The Function App's app settings (infra/modules/functionapp.bicep).</summary>
    Azure = 2,

    Both = Local | Azure,
}

/// <summary>
/// Marks an options property that is not an ordinary setting of both places, or is a secret
/// (its Azure value must be a Key Vault reference; it never appears in logs).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute : Attribute
{
    public SettingPlaces Places { get; init; } = SettingPlaces.Both;

    public bool Secret { get; init; }
}
