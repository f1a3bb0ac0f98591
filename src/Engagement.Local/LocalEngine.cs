using Engagement.Local.Azurite;
using Engagement.Local.Queues;
using Engagement.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.Local;

/// <summary>
/// The engine on one machine: the composition root over configured storage, or over an Azurite
/// this object starts (and stops on dispose) when no storage is configured.
/// </summary>
public sealed class LocalEngine : IAsyncDisposable
{
    private readonly AzuriteLauncher? _azurite;
    private readonly ServiceProvider _services;

    private LocalEngine(AzuriteLauncher? azurite, ServiceProvider services)
    {
        _azurite = azurite;
        _services = services;
    }

    /// <summary>Whether this engine started its own Azurite (and where it listens).</summary>
    public AzuriteLauncher? Azurite => _azurite;

    public IServiceProvider Services => _services;

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <param name="retryDelay">How long a failed message stays invisible (default 1 s).</param>
    /// <param name="time">The pump's clock for idle give-up and polling (default the real one, whatever the engine's clock).</param>
    public LocalQueuePump Pump(TimeSpan? retryDelay = null, TimeProvider? time = null) =>
        new(Get<StorageClients>(), Get<QueueHandlers>()) { RetryDelay = retryDelay ?? TimeSpan.FromSeconds(1), Time = time ?? TimeProvider.System };

    /// <param name="configuration">Settings (environment, files); Storage:* here wins over a local Azurite.</param>
    /// <param name="azuriteDirectory">Where a started Azurite keeps data; null keeps it in memory.</param>
    /// <param name="forceLocal">Always start Azurite, whatever storage is configured (demo, bench, tests).</param>
    /// <param name="configureServices">Extra registrations (tests: a fake clock, a fault-injecting policy).</param>
    public static async Task<LocalEngine> StartAsync(
        IConfiguration configuration,
        string? azuriteDirectory = null,
        bool forceLocal = false,
        LogLevel logLevel = LogLevel.Warning,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        AzuriteLauncher? azurite = null;
        var configured = !string.IsNullOrWhiteSpace(configuration["Storage:ConnectionString"]) || !string.IsNullOrWhiteSpace(configuration["Storage:AccountName"]);
        if (forceLocal || !configured)
        {
            azurite = await AzuriteLauncher.StartAsync(azuriteDirectory, cancellationToken);
            configuration = new ConfigurationBuilder()
                .AddConfiguration(configuration)
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:ConnectionString"] = azurite.ConnectionString, ["Storage:AccountName"] = null })
                .Build();
        }

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel));
        services.AddSingleton(configuration);
        services.AddEngagement(configuration);
        configureServices?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            // every option the engine registers, as the Functions host checks them at its start
            provider.ValidateEngagementOptions();
        }
        catch
        {
            await provider.DisposeAsync();
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            throw;
        }

        return new LocalEngine(azurite, provider);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
