using Microsoft.Extensions.Configuration;

namespace Engagement.Local.Fakes;

/// <summary>
/// The loopback provider fakes a local run sends through when no provider is configured (demo,
/// benchmarks): settings that point the real clients at them, layered over the configuration.
/// </summary>
public sealed class LocalProviders : IAsyncDisposable
{
    private LocalProviders(TwilioFake twilio) => Twilio = twilio;

    public TwilioFake Twilio { get; }

    /// <summary>The auth token the engine is given for the fake: the fake signs its webhooks with it.</summary>
    public const string AuthToken = "loopback-fake";

    public static readonly Uri StatusWebhook = new("https://engage.local/api/twilio/status");

    public static readonly Uri InboundWebhook = new("https://engage.local/api/twilio/inbound");

    /// <summary>The fakes' fixed seed: a demo or benchmark that injects faults injects the same ones every run.</summary>
    public const int Seed = 2026;

    public static async Task<LocalProviders> StartAsync(CancellationToken cancellationToken = default) =>
        new(await TwilioFake.StartAsync(new TwilioFakeOptions { Seed = Seed }, cancellationToken));

    /// <summary>True when the configuration names a real SMS provider (then the fakes are not used).</summary>
    public static bool SmsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["Twilio:AccountSid"]);

    /// <summary>The configuration with Twilio pointed at the fake (pacing as given; 0 = unpaced).</summary>
    public IConfiguration Apply(IConfiguration configuration, double segmentsPerSecond = 0, IReadOnlyDictionary<string, string?>? more = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Twilio:AccountSid"] = TwilioFake.AccountSid,
            ["Twilio:AuthToken"] = AuthToken,
            ["Twilio:From"] = "+15005550006",
            ["Twilio:MessagingServiceSid"] = null,
            ["Twilio:BaseUrl"] = Twilio.BaseUrl.ToString(),
            ["Twilio:SegmentsPerSecond"] = segmentsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // where the TwilioStatus / TwilioInbound functions would be; the fake signs its callbacks for these URLs
            ["Twilio:StatusCallbackUrl"] = StatusWebhook.ToString(),
            ["Twilio:InboundUrl"] = InboundWebhook.ToString(),
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>())
        {
            values[k] = v;
        }

        return new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(values).Build();
    }

    public ValueTask DisposeAsync() => Twilio.DisposeAsync();
}
