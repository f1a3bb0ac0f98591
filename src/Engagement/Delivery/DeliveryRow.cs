using System.Globalization;
using Azure;

namespace Engagement.Delivery;

/// <summary>
/// Where one delivery stands. A row is added as <c>planned</c>, <c>held-out</c> or <c>skipped</c> and then moves
/// only as <see cref="DeliveryTransitions"/> allows: mostly forward (planned → sending → accepted | failed | unknown,
/// planned → skipped), with two deliberate moves back to <c>planned</c> when the provider surely does not have the
/// message (sending → planned, unknown → planned), so that it is sent once later.
/// </summary>
public static class DeliveryStates
{
    public const string Planned = "planned";
    public const string HeldOut = "held-out";
    public const string Skipped = "skipped";
    public const string Sending = "sending";
    public const string Accepted = "accepted";
    public const string Failed = "failed";
    public const string Unknown = "unknown";

    public static readonly IReadOnlyList<string> All = [Planned, HeldOut, Skipped, Sending, Accepted, Failed, Unknown];
}

/// <summary>One delivery: the key (campaign, user, channel, occurrence) and its state.</summary>
public sealed record DeliveryKey(string CampaignId, string UserId, string Channel, int Occurrence)
{
    /// <summary>Channel and occurrence first, so within one (channel, occurrence) rows sort exactly like user ids and a chunk is one range.</summary>
    public string RowKey => RowKeyPrefix(Channel, Occurrence) + UserId;

    public static string RowKeyPrefix(string channel, int occurrence) => $"{channel}|{occurrence.ToString(CultureInfo.InvariantCulture)}|";

    public string PartitionKey(string shard) => PartitionOf(CampaignId, shard);

    /// <summary>A campaign's rows in one shard: <c>{campaignId}_{shard}</c>.</summary>
    public static string PartitionOf(string campaignId, string shard) => campaignId + "_" + shard;

    /// <summary>The shard a ledger partition belongs to (shard names have no '_', campaign ids may).</summary>
    public static string ShardOf(string partitionKey) => partitionKey[(partitionKey.LastIndexOf('_') + 1)..];

    /// <summary>The id a delivery goes by outside the ledger (message ids, provider callbacks): <c>{partition}/{row}</c>.</summary>
    public static string IdOf(string partitionKey, string rowKey) => partitionKey + "/" + rowKey;

    /// <summary>Splits an <see cref="IdOf"/> id; false when it has no partition part.</summary>
    public static bool TryParseId(string id, out string partitionKey, out string rowKey)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        partitionKey = slash > 0 ? id[..slash] : "";
        rowKey = slash > 0 ? id[(slash + 1)..] : "";
        return slash > 0;
    }
}

/// <summary>
/// One ledger row, typed. Only <see cref="DeliveryLedger"/> maps it to and from the table's columns and writes it;
/// everyone else reads these properties and asks the ledger to move the row (<see cref="DeliveryLedger.TryMoveAsync"/>).
/// </summary>
public sealed record DeliveryRow
{
    public required string PartitionKey { get; init; }

    public required string RowKey { get; init; }

    /// <summary>The row's ETag when read (or written by us): every change is conditional on it.</summary>
    public ETag ETag { get; init; }

    public string CampaignId { get; init; } = "";

    public string UserId { get; init; } = "";

    public string Channel { get; init; } = "";

    public int Occurrence { get; init; } = 1;

    public string State { get; init; } = DeliveryStates.Planned;

    /// <summary>Why it was skipped, held out, failed or left unknown (or how an unknown was resolved).</summary>
    public string? Reason { get; init; }

    public DateTimeOffset? PlannedAt { get; init; }

    /// <summary>When a worker claimed it: the start of the send lease.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The address it was sent to (recorded with the claim, so an ambiguous outcome can be looked up).</summary>
    public string? To { get; init; }

    /// <summary>The text that was sent (recorded with the claim, for the same lookup).</summary>
    public string? Body { get; init; }

    public string? ProviderId { get; init; }

    /// <summary>The provider's latest delivery status (Twilio's status callbacks); never moves backwards.</summary>
    public string? ProviderStatus { get; init; }

    public DateTimeOffset? ProviderStatusAt { get; init; }

    /// <summary>The provider's error code with that status.</summary>
    public string? ProviderError { get; init; }

    /// <summary><c>status-callback</c> when a callback settled the delivery as accepted.</summary>
    public string? SettledBy { get; init; }

    /// <summary>Names the last write, so a 412 on our own write that an SDK retry repeated can be told from someone else's.</summary>
    public string? WriteId { get; init; }

    /// <summary>The id the delivery goes by outside the ledger (<see cref="DeliveryKey.IdOf"/>).</summary>
    public string Id => DeliveryKey.IdOf(PartitionKey, RowKey);

    public string Shard => DeliveryKey.ShardOf(PartitionKey);
}
