using Engagement.Callbacks;
using Engagement.Local.Fakes;
using Engagement.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace Engagement.Local.Serve;

/// <summary>What a <see cref="WebhookServer"/> did so far: requests answered 200, refused, queue messages handled, dead-lettered.</summary>
public sealed record WebhookServerCounts(long Received, long Refused, long Handled, long DeadLettered);

/// <summary>
/// The Functions app's HTTP triggers (Twilio status and inbound webhooks, same routes under
/// <c>/api</c>) on a local Kestrel, with a <see cref="Queues.LocalQueuePump"/> working every engine
/// queue the way the Functions host's queue triggers would: local development without the host
/// (<c>engage serve</c>). Requests go through the same <see cref="TwilioWebhooks"/>, so a tunnel's
/// public URL (Twilio:StatusCallbackUrl / Twilio:InboundUrl, see <see cref="PublicUrlSettings"/>) is
/// what signatures are checked against.
/// </summary>
public sealed class WebhookServer : IAsyncDisposable
{
    /// <summary>How often an idle queue is looked at again (host.json's maxPollingInterval).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly LocalEngine _engine;
    private readonly Action<string>? _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _callbackQueued = new(0, 1);
    private WebApplication _app = null!;
    private Task[] _pumps = [];
    private long _received, _refused, _handled, _deadLettered;
    private bool _stopped;

    private WebhookServer(LocalEngine engine, Action<string>? log)
    {
        _engine = engine;
        _log = log;
    }

    /// <summary>Where the server listens (the real port when it was asked for port 0).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Each webhook kind and its path, as the Functions app routes it.</summary>
    public static IReadOnlyList<(string Kind, string Path)> Routes { get; } =
        TwilioWebhooks.Routes.Select(r => (r.Kind, $"/{TwilioWebhooks.RoutePrefix}/{r.Route}")).ToArray();

    public WebhookServerCounts Counts => new(Interlocked.Read(ref _received), Interlocked.Read(ref _refused), Interlocked.Read(ref _handled), Interlocked.Read(ref _deadLettered));

    /// <summary>
    /// Settings naming the webhooks' public URLs under <paramref name="publicBaseUrl"/> (a tunnel's
    /// https://abc.ngrok.app): signatures are checked against them, and SMS sent by this engine ask
    /// Twilio to call back there.
    /// </summary>
    public static Dictionary<string, string?> PublicUrlSettings(Uri publicBaseUrl)
    {
        var root = publicBaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Twilio:StatusCallbackUrl"] = $"{root}/{TwilioWebhooks.RoutePrefix}/{TwilioWebhooks.StatusRoute}",
            ["Twilio:InboundUrl"] = $"{root}/{TwilioWebhooks.RoutePrefix}/{TwilioWebhooks.InboundRoute}",
        };
    }

    /// <param name="listenUrl">Kestrel's address, e.g. http://127.0.0.1:7071; port 0 takes a free one.</param>
    /// <param name="log">One line per request answered and per batch of queue messages handled.</param>
    public static async Task<WebhookServer> StartAsync(LocalEngine engine, string listenUrl = "http://127.0.0.1:0", Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var server = new WebhookServer(engine, log);
        (server._app, server.BaseUrl) = await LoopbackHost.StartAsync(
            app =>
            {
                foreach (var (kind, path) in Routes)
                {
                    app.MapPost(path, (HttpContext context) => server.ReceiveAsync(kind, context));
                }
            },
            cancellationToken,
            listenUrl);
        server._pumps = QueueNames.All.Select(q => Task.Run(() => server.PumpAsync(q, server._stopping.Token), CancellationToken.None)).ToArray();
        return server;
    }

    private async Task ReceiveAsync(string kind, HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var answer = await _engine.Get<TwilioWebhooks>().ReceiveAsync(kind, new Uri(request.GetEncodedUrl()), request.Headers["X-Twilio-Signature"].FirstOrDefault(), body, context.RequestAborted);
        Interlocked.Increment(ref answer.Status == 200 ? ref _received : ref _refused);
        _log?.Invoke($"POST {request.Path} -> {answer.Status}{(answer.Status == 200 ? "" : " " + answer.Body)}");
        if (answer.Status == 200)
        {
            WakeCallbackPump();
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    /// <summary>A callback was queued: handle it now rather than at the next poll (one pending wake is enough).</summary>
    private void WakeCallbackPump()
    {
        try
        {
            _callbackQueued.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    private async Task PumpAsync(string queue, CancellationToken cancellationToken)
    {
        var pump = _engine.Pump();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // returns when the queue is empty, or holds only messages delayed on purpose (sendAt, quiet hours)
                var done = await pump.DrainAsync(queue, null, cancellationToken, idleWhenOnlyDelayed: TimeSpan.FromSeconds(1));
                Interlocked.Add(ref _handled, done.Handled);
                Interlocked.Add(ref _deadLettered, done.DeadLettered);
                if (done.Handled + done.DeadLettered > 0)
                {
                    _log?.Invoke($"{queue}: {done.Handled} handled, {done.DeadLettered} dead-lettered" + (done.Remaining > 0 ? $", {done.Remaining} waiting" : ""));
                }

                if (queue == QueueNames.ProviderCallbacks)
                {
                    await _callbackQueued.WaitAsync(PollInterval, cancellationToken);
                }
                else
                {
                    await Task.Delay(PollInterval, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a server keeps serving through a storage outage; the pump tries again at the next poll
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _log?.Invoke($"{queue}: {ex.GetType().Name}: {ex.Message} (trying again)");
                try
                {
                    await Task.Delay(PollInterval, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Stops taking requests (those in flight finish), then stops the pumps: a message being handled stays on its queue for next time.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await LoopbackHost.StopAsync(_app);
        await _stopping.CancelAsync();
        await Task.WhenAll(_pumps);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
        _callbackQueued.Dispose();
    }
}
