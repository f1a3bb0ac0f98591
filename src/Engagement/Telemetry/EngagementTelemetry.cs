using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Engagement.Telemetry;

/// <summary>
/// The engine's traces and metrics, exported by the host (Azure Monitor in Azure, the console
/// locally). A nightly run and a campaign are each one trace: the queue messages they fan out to
/// carry the W3C <c>traceparent</c> of the span that enqueued them, and the shard / chunk spans
/// continue it (linked to the Functions invocation that ran them). Tags carry ids and counts only,
/// never a phone number, push token or message text.
/// </summary>
public sealed class EngagementTelemetry
{
    public const string Name = "Engagement";

    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _sends;
    private readonly Counter<long> _skips;
    private readonly Histogram<double> _providerDuration;
    private readonly Counter<long> _reactivations;
    private readonly Counter<long> _callbacks;

    public EngagementTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _sends = meter.CreateCounter<long>("engagement.sends", "{message}", "Messages handed to a channel's provider, by channel and outcome (accepted, rejected, unknown, not_sent).");
        _skips = meter.CreateCounter<long>("engagement.skips", "{delivery}", "Planned deliveries not sent, by channel and reason (no-consent, cap-global, expired, holdout, ...).");
        _providerDuration = meter.CreateHistogram<double>("engagement.provider.duration", "s", "Time for a channel's provider to take or refuse one message, retries included.");
        _reactivations = meter.CreateCounter<long>("engagement.reactivations", "{user}", "Users the nightly run moved out of the dormant tier.");
        _callbacks = meter.CreateCounter<long>("engagement.callbacks", "{callback}", "Provider callbacks handled, by kind (twilio-status, twilio-inbound) and effect (settled, status-advanced, duplicate, opted-out, invalid-phone, ignored).");
    }

    /// <summary>
    /// Starts a span that continues the trace in <paramref name="traceParent"/> (a queue message's),
    /// linked to the ambient span (the Functions invocation) when there is one. No or a bad
    /// traceparent: an ordinary child of the ambient span.
    /// </summary>
    public static System.Diagnostics.Activity? StartContinuing(string name, string? traceParent)
    {
        if (!ActivityContext.TryParse(traceParent, null, out var parent))
        {
            return Source.StartActivity(name, ActivityKind.Consumer);
        }

        var links = System.Diagnostics.Activity.Current is { } ambient ? new[] { new ActivityLink(ambient.Context) } : null;
        return Source.StartActivity(name, ActivityKind.Consumer, parent, links: links);
    }

    /// <summary>The traceparent to put on a message enqueued now (null outside a span).</summary>
    public static string? CurrentTraceParent() => System.Diagnostics.Activity.Current?.Id is { } id && System.Diagnostics.Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null;

    public void Sent(string channel, string outcome, TimeSpan providerTime)
    {
        var tags = new TagList { { "channel", channel }, { "outcome", outcome } };
        _sends.Add(1, tags);
        _providerDuration.Record(providerTime.TotalSeconds, tags);
    }

    public void Skipped(string channel, string reason) =>
        _skips.Add(1, new TagList { { "channel", channel }, { "reason", reason } });

    public void CallbackHandled(string kind, string effect) =>
        _callbacks.Add(1, new TagList { { "kind", kind }, { "effect", effect } });

    public void Reactivated(long users, string toTier)
    {
        if (users > 0)
        {
            _reactivations.Add(users, new TagList { { "tier", toTier } });
        }
    }
}
