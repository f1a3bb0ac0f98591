using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Engagement.Functions.Tests;

/// <summary>
/// The Functions app's composition (what Program.cs runs) refuses to start on a bad or missing
/// setting and names it, instead of failing on the first send.
/// </summary>
public sealed class StartupValidationTests
{
    private static readonly Dictionary<string, string?> Valid = new(FunctionsHostBuilder.Minimal, StringComparer.Ordinal);

    private static async Task<Exception?> StartAsync(Dictionary<string, string?> settings)
    {
        using var host = FunctionsHostBuilder.Build(settings);
        try
        {
            await host.StartAsync();
            await host.StopAsync();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static Dictionary<string, string?> With(params (string Key, string? Value)[] changes)
    {
        var settings = new Dictionary<string, string?>(Valid, StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task ValidSettingsStart()
    {
        Assert.Null(await StartAsync(Valid));
    }

    [Theory]
    [InlineData("Twilio:AccountSid", "AC123", "Twilio:AuthToken")]
    [InlineData("Fcm:ProjectId", "engagement", "Fcm:ServiceAccountJson")]
    [InlineData("Storage:ConnectionString", null, "Storage:ConnectionString")]
    [InlineData("NightlySchedule", "0 18 * * *", "NightlySchedule")]
    [InlineData("PlaybookSchedule", "*/10 * * * *", "PlaybookSchedule")]
    [InlineData("Playbooks:winback:Coupons:0:Value", "-5", "Playbooks:winback:Coupons:0:Value")]
    [InlineData("Playbooks:highvalue:Channels:0:Template", "{{ nope }}", "Playbooks:highvalue:Channels:0:Template")]
    [InlineData("Activity:TimeZone", "Mars/Olympus", "Activity:TimeZone")]
    [InlineData("AzureWebJobsStorage", null, "AzureWebJobsStorage")]
    [InlineData("Sms:OptOutLine", "", "'SmsOptions' members: 'OptOutLine'")]
    [InlineData("Delivery:CapWindowDays", "60", "Delivery:CapWindowDays")]
    [InlineData("WakeUp:LocalTime", "22:30", "WakeUp:LocalTime 22:30 is inside quiet hours")]
    [InlineData("WakeUp:Tasks:0:Kind", "only-one", "WakeUp:Tasks:0:Points 0 must be more than 0")]
    [InlineData("Points:Earn:Purchase", "-1", "Points:Earn:Purchase")]
    [InlineData("Points:ExpiresAfterMonths", "0", "Points:ExpiresAfterMonths")]
    public async Task AMissingOrBadSettingFailsStartNamingIt(string key, string? value, string named)
    {
        var ex = await StartAsync(With((key, value)));
        var validation = Assert.IsType<OptionsValidationException>(ex);
        Assert.Contains(named, validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnresolvedKeyVaultReferenceFailsStartNamingTheSetting()
    {
        var ex = await StartAsync(With(
            ("Twilio:AccountSid", "AC123"),
            ("Twilio:MessagingServiceSid", "MG123"),
            ("Twilio:AuthToken", "@Microsoft.KeyVault(VaultName=kv-engagement;SecretName=twilio-auth-token)")));
        var validation = Assert.IsType<OptionsValidationException>(ex);
        Assert.Contains("Twilio__AuthToken is a Key Vault reference", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLocalSettingsExampleStartsAndBindsToTheDefaults()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "local.settings.example.json")));
        var settings = doc.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(v => v.Name.Replace("__", ":", StringComparison.Ordinal), v => (string?)v.Value.GetString(), StringComparer.Ordinal);
        Assert.Null(await StartAsync(settings));

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var twilio = configuration.GetSection("Twilio").Get<Engagement.Delivery.Twilio.TwilioOptions>()!;
        Assert.Null(twilio.BaseUrl); // "" binds to no endpoint override, not a relative Uri
        Assert.Null(twilio.StatusCallbackUrl);
        Assert.False(twilio.IsConfigured);
        var delivery = configuration.GetSection("Delivery").Get<Engagement.Delivery.DeliveryOptions>()!;
        Assert.Equal(new Engagement.Delivery.DeliveryOptions().QuietHoursStart, delivery.QuietHoursStart);
        Assert.Equal(new Engagement.Delivery.DeliveryOptions().SendLease, delivery.SendLease);
    }

    [Fact]
    public async Task TwilioFullyConfiguredStarts()
    {
        Assert.Null(await StartAsync(With(("Twilio:AccountSid", "AC123"), ("Twilio:MessagingServiceSid", "MG123"), ("Twilio:AuthToken", "token"))));
    }
}
