using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Engagement.Functions.Tests;

/// <summary>The composition Program.cs runs (AddEngagementFunctions) in a plain host: the worker's gRPC link to the Functions host is all that is missing.</summary>
internal static class FunctionsHostBuilder
{
    /// <summary>Settings a local Functions host needs to start.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Minimal = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["NightlySchedule"] = "0 0 18 * * *",
    };

    /// <param name="configureServices">Runs after the app's own registrations (the function-body tests: a fixed clock, a log recorder).</param>
    public static IHost Build(IEnumerable<KeyValuePair<string, string?>> settings, Action<IServiceCollection>? configureServices = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddEngagementFunctions(builder.Configuration);
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }
}
