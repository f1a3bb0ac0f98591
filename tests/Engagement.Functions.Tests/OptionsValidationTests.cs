using System.Collections.Concurrent;
using Engagement.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Functions.Tests;

/// <summary>
/// The CLI's engine (LocalEngine, no host) and the Functions host validate the same options at start: the one list
/// in AddEngagement. With storage configured, LocalEngine starts no Azurite, so these run without one.
/// </summary>
public sealed class OptionsValidationTests
{
    private static Dictionary<string, string?> With(params (string Key, string? Value)[] changes)
    {
        var settings = new Dictionary<string, string?>(FunctionsHostBuilder.Minimal, StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static Task<LocalEngine> StartLocalAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null) =>
        LocalEngine.StartAsync(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), configureServices: configureServices);

    [Theory]
    [InlineData("Delivery:CapWindowDays", "60", "Delivery:CapWindowDays")]
    [InlineData("Sms:OptOutLine", "", "'SmsOptions' members: 'OptOutLine'")]
    [InlineData("Campaigns:MaxUserIds", "0", "'CampaignOptions' members: 'MaxUserIds'")]
    [InlineData("Twilio:AccountSid", "AC123", "Twilio:AuthToken")]
    [InlineData("Fcm:ProjectId", "engagement", "Fcm:ServiceAccountJson")]
    public async Task LocalEngineStart_FailsOnAnyEngineOption_NamingIt(string key, string? value, string named)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartLocalAsync(With((key, value))));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalEngineStart_FailsOnAnUnresolvedKeyVaultReference()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartLocalAsync(With(
            ("Twilio:AccountSid", "AC123"),
            ("Twilio:MessagingServiceSid", "MG123"),
            ("Twilio:AuthToken", "@Microsoft.KeyVault(VaultName=kv-engagement;SecretName=twilio-auth-token)"))));
        Assert.Contains("Twilio__AuthToken is a Key Vault reference", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalEngineStart_WithValidSettings_Starts()
    {
        await using var engine = await StartLocalAsync(With());
        Assert.Null(engine.Azurite);
    }

    [Fact]
    public void AddEngagement_RegistersExactlyTheOneListOfOptions()
    {
        var services = new ServiceCollection().AddEngagement(new ConfigurationBuilder().Build());
        var registered = services
            .Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(IConfigureOptions<>) || t.GetGenericTypeDefinition() == typeof(IValidateOptions<>)))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.Assembly == typeof(EngagementServiceCollectionExtensions).Assembly)
            .Distinct();
        Assert.Equal(Names(EngagementServiceCollectionExtensions.OptionTypes), Names(registered));
    }

    [Fact]
    public async Task LocalEngineAndFunctionsHost_ValidateTheSameOptionsAtStart()
    {
        var local = new ConcurrentDictionary<Type, bool>();
        await using (await StartLocalAsync(With(), s => Record(s, local)))
        {
        }

        var functions = new ConcurrentDictionary<Type, bool>();
        using (var host = FunctionsHostBuilder.Build(With(), s => Record(s, functions)))
        {
            await host.StartAsync();
            await host.StopAsync();
        }

        Assert.Equal(Names(EngagementServiceCollectionExtensions.OptionTypes), Names(local.Keys));
        // the Functions host has its own settings besides (AzureWebJobsStorage, the schedule)
        Assert.Equal(Names([.. EngagementServiceCollectionExtensions.OptionTypes, typeof(FunctionsHostOptions)]), Names(functions.Keys));
    }

    private static IEnumerable<string> Names(IEnumerable<Type> types) => types.Select(t => t.FullName!).Order(StringComparer.Ordinal);

    /// <summary>A validator per option type that notes each type validated (and passes it).</summary>
    private static void Record(IServiceCollection services, ConcurrentDictionary<Type, bool> seen)
    {
        foreach (var type in EngagementServiceCollectionExtensions.OptionTypes.Append(typeof(FunctionsHostOptions)))
        {
            services.AddSingleton(typeof(IValidateOptions<>).MakeGenericType(type), Activator.CreateInstance(typeof(Recorder<>).MakeGenericType(type), seen)!);
        }
    }

    private sealed class Recorder<T>(ConcurrentDictionary<Type, bool> seen) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            seen[typeof(T)] = true;
            return ValidateOptionsResult.Success;
        }
    }
}
