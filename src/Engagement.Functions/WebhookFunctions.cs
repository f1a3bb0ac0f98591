using System.Net;
using Azure.Storage.Queues.Models;
using Engagement.Callbacks;
using Engagement.Messaging;
using Engagement.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace Engagement.Functions;

/// <summary>
/// Twilio's webhooks. Anonymous at the Functions level because Twilio cannot send a function key:
/// each request is authenticated by its X-Twilio-Signature instead (TwilioWebhooks), then queued.
/// </summary>
public sealed class WebhookFunctions(TwilioWebhooks twilio, QueueHandlers handlers)
{
    /// <summary>Status callbacks: Twilio:StatusCallbackUrl points here; each carries ?deliveryId=.</summary>
    [Function(nameof(TwilioStatus))]
    public Task<HttpResponseData> TwilioStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = TwilioWebhooks.StatusRoute)] HttpRequestData request, CancellationToken cancellationToken) =>
        ReceiveAsync(CallbackKinds.TwilioStatus, request, cancellationToken);

    /// <summary>Inbound SMS: the Messaging Service's (or number's) "A message comes in" webhook points here (Twilio:InboundUrl).</summary>
    [Function(nameof(TwilioInbound))]
    public Task<HttpResponseData> TwilioInbound(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = TwilioWebhooks.InboundRoute)] HttpRequestData request, CancellationToken cancellationToken) =>
        ReceiveAsync(CallbackKinds.TwilioInbound, request, cancellationToken);

    /// <summary>The queued callbacks, after their signature was checked.</summary>
    [Function(nameof(ProviderCallbacks))]
    public Task ProviderCallbacks([QueueTrigger(QueueNames.ProviderCallbacks)] QueueMessage message, CancellationToken cancellationToken) =>
        handlers.HandleAsync(new QueueEnvelope(QueueNames.ProviderCallbacks, message.MessageId, message.Body.ToString(), message.DequeueCount), cancellationToken);

    private async Task<HttpResponseData> ReceiveAsync(string kind, HttpRequestData request, CancellationToken cancellationToken)
    {
        var body = await request.ReadAsStringAsync() ?? "";
        var signature = request.Headers.TryGetValues("X-Twilio-Signature", out var values) ? values.FirstOrDefault() : null;
        // request.Url is what the worker sees (behind Azure's front end: maybe http, another host or port);
        // TwilioWebhooks checks the signature against the configured public URL with this URL's query
        var result = await twilio.ReceiveAsync(kind, request.Url, signature, body, cancellationToken);
        var response = request.CreateResponse((HttpStatusCode)result.Status);
        response.Headers.Add("Content-Type", result.ContentType);
        await response.WriteStringAsync(result.Body, cancellationToken);
        return response;
    }
}
