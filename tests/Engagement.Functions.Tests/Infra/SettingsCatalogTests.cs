using System.Text.Json;
using System.Text.RegularExpressions;
using Engagement.Settings;

namespace Engagement.Functions.Tests.Infra;

/// <summary>
/// One source of truth for settings: the options classes. The README's configuration table,
/// local.settings.example.json and the Bicep app settings must name exactly the settings they
/// define (each in the places its <see cref="SettingAttribute"/> says).
/// </summary>
public sealed partial class SettingsCatalogTests
{
    internal static readonly IReadOnlyList<SettingInfo> Catalog =
        SettingsCatalog.Settings(typeof(EngagementServiceCollectionExtensions).Assembly, typeof(FunctionsHostOptions).Assembly);

    private static readonly IReadOnlyList<string> Structured =
        SettingsCatalog.Structured(typeof(EngagementServiceCollectionExtensions).Assembly, typeof(FunctionsHostOptions).Assembly);

    private static IEnumerable<string> Names(SettingPlaces place) => Catalog.Where(s => s.Places.HasFlag(place)).Select(s => s.Name);

    private static void AssertSameNames(IEnumerable<string> expected, IEnumerable<string> actual, string where)
    {
        var e = expected.ToHashSet(StringComparer.Ordinal);
        var a = actual.ToList();
        var missing = e.Where(n => !a.Contains(n, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var extra = a.Where(n => !e.Contains(n)).Order(StringComparer.Ordinal).ToList();
        var twice = a.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && twice.Count == 0,
            $"{where}: missing [{string.Join(", ", missing)}]; not an option [{string.Join(", ", extra)}]; listed twice [{string.Join(", ", twice)}]");
    }

    [Fact]
    public void CatalogFindsEveryOptionsClass()
    {
        // a sample from each kind: engine section, nested object, host setting with a key name, secret, local-only
        var byName = Catalog.ToDictionary(s => s.Name, StringComparer.Ordinal);
        Assert.True(byName["Delivery__QuietHoursStart"].Places == SettingPlaces.Both);
        Assert.True(byName.ContainsKey("Segmentation__NoHistory__RecentTier"));
        Assert.True(byName["AzureWebJobsStorage__accountName"].Places == SettingPlaces.Azure);
        Assert.True(byName["Twilio__AuthToken"].Secret);
        Assert.True(byName["Storage__ConnectionString"].Places == SettingPlaces.Local);
        Assert.Equal(["Content__Languages", "Playbooks__NAME", "Points__Earn", "Points__LevelThresholds", "Points__Catalogue", "Segmentation__Tiers", "WakeUp__Tasks"], Structured);
        Assert.True(Catalog.Count > 40, $"only {Catalog.Count} settings found");
    }

    [Fact]
    public void ReadmeTableNamesExactlyTheSettings()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
        var section = readme[readme.IndexOf("\n## Configuration", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 5, StringComparison.Ordinal)];
        var rows = TableRow().Matches(section).Select(m => m.Groups[1].Value).ToList();
        AssertSameNames(Catalog.Select(s => s.Name).Concat(Structured), rows, "README configuration table");
    }

    [Fact]
    public void LocalSettingsExampleNamesExactlyTheLocalSettings()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "local.settings.example.json")));
        var values = doc.RootElement.GetProperty("Values").EnumerateObject().ToList();
        AssertSameNames(Names(SettingPlaces.Local), values.Select(v => v.Name), "local.settings.example.json");

        // a secret has no value in a file in the repo
        Assert.All(values.Where(v => Catalog.Single(s => s.Name == v.Name).Secret), v => Assert.Equal("", v.Value.GetString()));
    }

    [Fact]
    public void BicepAppSettingsNameExactlyTheAzureSettings()
    {
        AssertSameNames(Names(SettingPlaces.Azure), InfraTests.AppSettings.Keys, "infra/modules/functionapp.bicep app settings");
    }

    // | `Name` | ... : one setting per row
    [GeneratedRegex(@"^\| `([A-Za-z0-9_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
