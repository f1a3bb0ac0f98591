using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engagement.Activity;
using Engagement.Segmentation;
using Engagement.Settings;
using Engagement.Storage;

namespace Engagement.Functions.Tests.Infra;

/// <summary>
/// The deployment, checked without Azure: the build compiles infra/main.bicep with the Bicep CLI
/// (main.json) and evaluates it with Infra/ci.bicepparam (ci.snapshot.json: every predicted
/// resource with its names and loops resolved). These tests read both.
/// </summary>
public sealed partial class InfraTests
{
    private const int CiUserShards = 128; // Infra/ci.bicepparam

    private static readonly JsonElement Template = Read("infra/main.json");
    private static readonly JsonElement[] Resources = Read("infra/ci.snapshot.json").GetProperty("predictedResources").EnumerateArray().ToArray();

    private static JsonElement Read(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, file))).RootElement;

    private static IEnumerable<JsonElement> OfType(string type) =>
        Resources.Where(r => r.GetProperty("type").GetString()!.Equals(type, StringComparison.OrdinalIgnoreCase));

    private static JsonElement Single(string type) => Assert.Single(OfType(type));

    private static string LastSegment(JsonElement r) => r.GetProperty("name").GetString()!.Split('/')[^1];

    private static JsonElement Site => Single("Microsoft.Web/sites");

    private static string AppIdentityId => Site.GetProperty("identity").GetProperty("userAssignedIdentities").EnumerateObject().Single().Name;

    /// <summary>The Function App's app settings as the snapshot predicts them (also read by SettingsCatalogTests).</summary>
    internal static Dictionary<string, string> AppSettings =>
        Single("Microsoft.Web/sites/config").GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);

    [Fact]
    public void EveryQueueTheCodeUsesIsDeclared()
    {
        var declared = OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(LastSegment).ToHashSet(StringComparer.Ordinal);
        var used = QueueNames.All.Concat(QueueNames.All.Select(QueueNames.Poison)).ToList();
        Assert.All(used, q => Assert.Contains(q, declared));
    }

    [Fact]
    public void EveryTableTheCodeUsesIsDeclaredForEveryShard()
    {
        var declared = OfType("Microsoft.Storage/storageAccounts/tableServices/tables").Select(LastSegment).ToHashSet(StringComparer.Ordinal);
        var shards = new UserShards(CiUserShards).All;
        var used = TableNames.All.Concat(shards.Select(TableNames.DeliveriesOf)).Concat(shards.Select(TableNames.TouchesOf)).Concat(shards.Select(TableNames.WakeUpPlansOf)).Concat(shards.Select(TableNames.WakeUpDueOf)).ToList();
        Assert.All(used, t => Assert.Contains(t, declared));
        Assert.Equal(used.Count, declared.Count); // nothing declared that the code does not use
    }

    /// <summary>The resource a role assignment is scoped to (the snapshot leaves ids with a principal expression unevaluated).</summary>
    private static string ScopeOf(JsonElement assignment)
    {
        var id = assignment.GetProperty("id").GetString()!;
        const string Extension = "[extensionResourceId('";
        return id.StartsWith(Extension, StringComparison.Ordinal)
            ? id[Extension.Length..id.IndexOf('\'', Extension.Length)]
            : id[..id.IndexOf("/providers/Microsoft.Authorization/", StringComparison.OrdinalIgnoreCase)];
    }

    [Fact]
    public void AppIdentityHasExactlyTheRolesItNeedsOnTheResourcesItUses()
    {
        // reference('<identity id>', ...).principalId: the identity's principal is known only at deployment
        var identity = AppIdentityId;
        var appRoles = OfType("Microsoft.Authorization/roleAssignments")
            .Where(r => r.GetProperty("properties").GetProperty("principalId").GetString()!.Contains($"reference('{identity}'", StringComparison.OrdinalIgnoreCase))
            .Select(r => (Role: r.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Split('/')[^1], Scope: ScopeOf(r)))
            .OrderBy(r => r.Role, StringComparer.Ordinal)
            .ToArray();

        var account = Single("Microsoft.Storage/storageAccounts").GetProperty("id").GetString()!;
        var vault = Single("Microsoft.KeyVault/vaults").GetProperty("id").GetString()!;
        var insights = Single("Microsoft.Insights/components").GetProperty("id").GetString()!;
        (string Role, string Scope)[] expected =
        [
            ("974c5e8b-45b9-4653-ba55-5f855dd0fb88", account), // Storage Queue Data Contributor: engine queues, queue triggers
            ("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", account), // Storage Table Data Contributor: engine tables
            ("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", account), // Storage Blob Data Owner: the host's leases and the deployment package
            ("4633458b-17de-408a-b874-0445c86b69e6", vault), // Key Vault Secrets User: Key Vault references
            ("3913510d-42f4-4e42-8a64-420c390055eb", insights), // Monitoring Metrics Publisher: Entra-authenticated telemetry
        ];
        Assert.Equal(expected.OrderBy(r => r.Role, StringComparer.Ordinal), appRoles);
    }

    [Fact]
    public void NoRoleIsAssignedAtGroupOrSubscriptionScope()
    {
        var broad = OfType("Microsoft.Authorization/roleAssignments").Select(ScopeOf)
            .Where(scope => !scope.Contains("/providers/", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Empty(broad);
    }

    [Fact]
    public void SecretsAreKeyVaultReferencesAndNoKeyAppearsInAppSettings()
    {
        var settings = AppSettings;
        var secrets = SettingsCatalogTests.Catalog.Where(s => s.Secret).Select(s => s.Name).ToList();
        Assert.NotEmpty(secrets);
        foreach (var name in secrets)
        {
            Assert.Matches(KeyVaultReference(), settings[name]); // both channels are on in ci.bicepparam
        }

        Assert.All(settings, kv =>
        {
            Assert.DoesNotContain("AccountKey=", kv.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys(", kv.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessSignature", kv.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("securestring", kv.Value, StringComparison.OrdinalIgnoreCase);
        });

        // the provider secrets enter only as secure parameters, and only Key Vault receives them
        var parameters = Template.GetProperty("parameters");
        Assert.Equal("securestring", parameters.GetProperty("twilioAuthToken").GetProperty("type").GetString());
        Assert.Equal("securestring", parameters.GetProperty("fcmServiceAccountJson").GetProperty("type").GetString());
        Assert.Equal(2, OfType("Microsoft.KeyVault/vaults/secrets").Count());
    }

    [Fact]
    public void ChannelsThatAreOffReferenceNoSecret()
    {
        // an unresolved reference is refused at start-up, so a channel that is off must not reference its secret
        var bicep = File.ReadAllText(Path.Combine(RepoRoot(), "infra/modules/functionapp.bicep"));
        Assert.Contains("empty(twilioAccountSid) ? ''", bicep, StringComparison.Ordinal);
        Assert.Contains("empty(fcmProjectId) ? ''", bicep, StringComparison.Ordinal);
    }

    [Fact]
    public void HostStorageUsesTheIdentityNotAKey()
    {
        var settings = AppSettings;
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"));
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Contains($"reference('{AppIdentityId}'", settings["AzureWebJobsStorage__clientId"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal(LastSegment(Single("Microsoft.Storage/storageAccounts")), settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal(settings["AzureWebJobsStorage__accountName"], settings["Storage__AccountName"]);
        Assert.Equal(settings["AzureWebJobsStorage__clientId"], settings["Storage__ClientId"]);
        Assert.Equal(CiUserShards.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["Storage__UserShards"]);
    }

    [Fact]
    public void SiteIsHttpsOnlyTls12WithoutFtpOrBasicAuth()
    {
        var properties = Site.GetProperty("properties");
        Assert.True(properties.GetProperty("httpsOnly").GetBoolean());
        var config = properties.GetProperty("siteConfig");
        Assert.Equal("1.2", config.GetProperty("minTlsVersion").GetString());
        Assert.Equal("Disabled", config.GetProperty("ftpsState").GetString());
        Assert.Equal(AppIdentityId, properties.GetProperty("keyVaultReferenceIdentity").GetString());

        var policies = OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToDictionary(LastSegment, r => r.GetProperty("properties").GetProperty("allow").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["ftp"] = false, ["scm"] = false }, policies);
    }

    [Fact]
    public void StorageHasNoPublicBlobsNoSharedKeyAndTls12()
    {
        var p = Single("Microsoft.Storage/storageAccounts").GetProperty("properties");
        Assert.False(p.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.False(p.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.True(p.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", p.GetProperty("minimumTlsVersion").GetString());
        Assert.All(OfType("Microsoft.Storage/storageAccounts/blobServices/containers"), c => Assert.Equal("None", c.GetProperty("properties").GetProperty("publicAccess").GetString()));
    }

    [Fact]
    public void KeyVaultUsesRbacAndTelemetryUsesEntraId()
    {
        var vault = Single("Microsoft.KeyVault/vaults").GetProperty("properties");
        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
        var insights = Single("Microsoft.Insights/components").GetProperty("properties");
        Assert.True(insights.GetProperty("DisableLocalAuth").GetBoolean());
        Assert.Contains("Microsoft.OperationalInsights/workspaces", insights.GetProperty("WorkspaceResourceId").GetString(), StringComparison.Ordinal);
        Assert.Matches("^\\[format\\('ClientId=\\{0\\};Authorization=AAD'", AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void FlexRuntimeMatchesTheFunctionsProjectTargetFramework()
    {
        var plan = Single("Microsoft.Web/serverfarms").GetProperty("sku");
        Assert.Equal("FC1", plan.GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("tier").GetString());

        var config = Site.GetProperty("properties").GetProperty("functionAppConfig");
        var runtime = config.GetProperty("runtime");
        // the Functions assembly says what it was built for: ".NETCoreApp,Version=v10.0"
        var framework = typeof(FunctionsHostOptions).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;
        Assert.Equal("dotnet-isolated", runtime.GetProperty("name").GetString());
        Assert.Equal(framework[(framework.IndexOf("Version=v", StringComparison.Ordinal) + "Version=v".Length)..], runtime.GetProperty("version").GetString());

        var deployment = config.GetProperty("deployment").GetProperty("storage");
        Assert.Equal("UserAssignedIdentity", deployment.GetProperty("authentication").GetProperty("type").GetString());
        Assert.Equal(AppIdentityId, deployment.GetProperty("authentication").GetProperty("userAssignedIdentityResourceId").GetString());
    }

    [Fact]
    public void ParameterDefaultsAreTheCodeDefaults()
    {
        var parameters = Template.GetProperty("parameters");
        Assert.Equal(new StorageOptions().UserShards, parameters.GetProperty("userShards").GetProperty("defaultValue").GetInt32());
        Assert.Equal(new ActivityOptions().TimeZone, parameters.GetProperty("activityTimeZone").GetProperty("defaultValue").GetString());
        Assert.Equal(NightlySchedule.Default, parameters.GetProperty("nightlySchedule").GetProperty("defaultValue").GetString());
    }

    [Fact]
    public void AzdParametersFileFitsTheTemplate()
    {
        var declared = Template.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var given = Read("infra/main.parameters.json").GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(given, g => Assert.True(declared.ContainsKey(g), $"main.parameters.json gives '{g}', which main.bicep does not declare"));
        Assert.Empty(declared.Where(d => !d.Value.TryGetProperty("defaultValue", out _) && !given.Contains(d.Key)).Select(d => d.Key)); // azd fills every required one

        var azure = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "azure.yaml"));
        var project = AzureYamlProject().Match(azure).Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(RepoRoot(), project, "Engagement.Functions.csproj")), $"azure.yaml's service project '{project}' is not the Functions project");
    }

    [Fact]
    public void TwilioWebhookUrlsAreTheFunctionsPublicHttpsUrls()
    {
        // signatures are checked against these (Twilio signs the URL it called), so they must be the site's own https routes
        var settings = AppSettings;
        var site = $"/providers/Microsoft.Web/sites/{LastSegment(Site)}'";
        foreach (var (name, route) in new[] { ("Twilio__StatusCallbackUrl", Callbacks.TwilioWebhooks.StatusRoute), ("Twilio__InboundUrl", Callbacks.TwilioWebhooks.InboundRoute) })
        {
            Assert.StartsWith($"[format('https://{{0}}/{Callbacks.TwilioWebhooks.RoutePrefix}/{route}', reference('", settings[name], StringComparison.Ordinal);
            Assert.Contains(site, settings[name], StringComparison.Ordinal);
            Assert.EndsWith(").defaultHostName)]", settings[name], StringComparison.Ordinal);
        }
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Engagement.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(VaultName=[a-z0-9-]+;SecretName=[a-z0-9-]+\)$")]
    private static partial Regex KeyVaultReference();

    [GeneratedRegex(@"project:\s*(\S+)")]
    private static partial Regex AzureYamlProject();
}
