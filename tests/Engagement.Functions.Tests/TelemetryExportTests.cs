using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using Engagement.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace Engagement.Functions.Tests;

/// <summary>
/// Where the app's telemetry goes, by behaviour: with APPLICATIONINSIGHTS_CONNECTION_STRING the
/// engine's spans reach the Azure Monitor ingestion endpoint it names (a loopback listener here);
/// without it they are written to the console.
/// </summary>
[Collection(nameof(TelemetryExportTests))] // the console test swaps Console.Out
public sealed class TelemetryExportTests
{
    private static IHost Build(Dictionary<string, string?> extra) => FunctionsHostBuilder.Build(FunctionsHostBuilder.Minimal.Concat(extra));

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    [Fact]
    public async Task WithAConnectionString_SpansGoToTheAzureMonitorIngestionEndpoint()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var bodies = new List<string>();
        var receiving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                Stream body = context.Request.InputStream;
                if (context.Request.Headers["Content-Encoding"] == "gzip")
                {
                    body = new GZipStream(body, CompressionMode.Decompress);
                }

                using var reader = new StreamReader(body);
                var text = context.Request.Url!.AbsolutePath + " " + await reader.ReadToEndAsync();
                lock (bodies)
                {
                    bodies.Add(text);
                }

                context.Response.StatusCode = 200;
                await context.Response.OutputStream.WriteAsync("""{"itemsReceived":1,"itemsAccepted":1,"errors":[]}"""u8.ToArray());
                context.Response.Close();
            }
        });

        using (var host = Build(new() { ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:{port}/" }))
        {
            await host.StartAsync();
            using (var span = EngagementTelemetry.Source.StartActivity("campaign"))
            {
                span?.SetTag("campaign.id", "export-check");
            }

            // flush explicitly and wait for the span to arrive (a busy machine can outlast the flush
            // that disposing the host allows), rather than hoping the dispose-time flush made it
            Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush(60_000), "the exporter did not flush within 60 s");
            var arrived = await Until(() => Exported(bodies), TimeSpan.FromSeconds(60));
            await host.StopAsync();
            Assert.True(arrived, $"no span with export-check reached the endpoint in 60 s; {bodies.Count} request(s) seen");
        }

        listener.Stop();
        await receiving;
    }

    private static bool Exported(List<string> bodies)
    {
        lock (bodies)
        {
            return bodies.Any(b => b.StartsWith("/v2.1/track", StringComparison.Ordinal) && b.Contains("export-check", StringComparison.Ordinal));
        }
    }

    private static async Task<bool> Until(Func<bool> condition, TimeSpan cap)
    {
        using var timeout = new CancellationTokenSource(cap);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        return true;
    }

    [Fact]
    public async Task WithoutOne_SpansAreWrittenToTheConsole()
    {
        var original = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            using var host = Build([]);
            await host.StartAsync();
            using (var span = EngagementTelemetry.Source.StartActivity("campaign"))
            {
                span?.SetTag("campaign.id", "console-check");
            }

            await host.StopAsync();
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Contains("console-check", captured.ToString(), StringComparison.Ordinal);
    }
}
