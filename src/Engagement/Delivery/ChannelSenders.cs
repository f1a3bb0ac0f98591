namespace Engagement.Delivery;

/// <summary>One message ready for a provider. <see cref="DeliveryId"/> names the ledger row (status callbacks carry it back).</summary>
public sealed record OutgoingMessage(string DeliveryId, string UserId, string CampaignId, int Occurrence, string To, string? Title, string Body, int Segments, DateTimeOffset? ExpiresAt);

public enum SendStatus
{
    /// <summary>The provider took it; <see cref="SendResult.ProviderId"/> identifies it there.</summary>
    Accepted,

    /// <summary>The provider refused it for good (opted out, invalid number...): never retried.</summary>
    Rejected,

    /// <summary>It surely did not leave (throttled before acceptance, connection refused, breaker open): safe to try again later.</summary>
    NotSent,

    /// <summary>It may or may not have left (timeout after the request was sent, 5xx, reset): never resent blindly.</summary>
    Unknown,
}

/// <summary>What a provider said. <see cref="UserEffect"/>: a permanent error that changes the user (e.g. <c>opted-out</c>, <c>invalid-phone</c>).</summary>
public sealed record SendResult(SendStatus Status, string? ProviderId = null, string? Reason = null, string? UserEffect = null);

/// <summary>Sends one channel's messages. Implementations do their own pacing and safe retries.</summary>
public interface IChannelSender
{
    string Channel { get; }

    Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}

/// <summary>A sender that can tell, after the fact, whether a message reached the provider (resolving <c>unknown</c> deliveries).</summary>
public interface IDeliveryLookup
{
    string Channel { get; }

    /// <summary>The provider's id of a message to <paramref name="to"/> with exactly this body sent since <paramref name="since"/>, or null if there is none. Throws when the provider cannot say.</summary>
    Task<string?> FindAsync(string to, string body, DateTimeOffset since, CancellationToken cancellationToken);
}
