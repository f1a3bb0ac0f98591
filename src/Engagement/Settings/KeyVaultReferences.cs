using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Engagement.Settings;

/// <summary>
/// App Service leaves a Key Vault reference it cannot resolve (secret missing, no access for the
/// identity) as its literal text, "@Microsoft.KeyVault(...)". An engine that started anyway would
/// send that text to Twilio as a password on the first send; it refuses to start instead, naming
/// the setting.
/// </summary>
public sealed class KeyVaultReferences : IValidatableObject
{
    private const string Prefix = "@Microsoft.KeyVault(";

    /// <summary>App-setting names whose value is still an unresolved reference.</summary>
    public List<string> Unresolved { get; } = [];

    public static IEnumerable<string> FindUnresolved(IConfiguration configuration) =>
        configuration.AsEnumerable()
            .Where(kv => kv.Value is { } v && v.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            .Select(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Unresolved.Select(name => new ValidationResult(
            $"{name} is a Key Vault reference the platform could not resolve: check that the secret exists and that the app's identity has 'Key Vault Secrets User' (docs/operations.md).",
            [name]));
}
