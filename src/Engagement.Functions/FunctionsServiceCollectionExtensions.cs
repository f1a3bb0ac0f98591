using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Engagement.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Engagement.Functions;

/// <summary>The Functions app's composition: the engine, the host's own settings, telemetry. Program.cs only calls this.</summary>
public static class FunctionsServiceCollectionExtensions
{
    public static IServiceCollection AddEngagementFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEngagement(configuration);
        services.AddOptions<FunctionsHostOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();

        var host = configuration.Get<FunctionsHostOptions>() ?? new FunctionsHostOptions();
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .ConfigureResource(r => r.AddService("engagement"))
            .WithTracing(t => t.AddSource(EngagementTelemetry.Name))
            .WithMetrics(m => m.AddMeter(EngagementTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(host.ApplicationInsightsConnectionString))
        {
            // Entra-authenticated ingestion with the app's identity: the resource has local auth off
            telemetry.UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = host.ApplicationInsightsConnectionString;
                // every trace: there is one per nightly run, per campaign and per queue message, and the
                // exporter's default rate-limited sampling drops whole campaign traces (seen in a test)
                o.TracesPerSecond = null;
                o.SamplingRatio = 1.0F;
                if (host.TelemetryClientId() is { } clientId)
                {
                    o.Credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            });
        }
        else
        {
            telemetry.WithTracing(t => t.AddConsoleExporter()).WithMetrics(m => m.AddConsoleExporter());
        }

        return services;
    }
}
