using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Users;

/// <summary>A user's referral columns (<see cref="UserEntity.ReferralColumns"/>): <see cref="ReferredBy"/> null for users nobody referred.</summary>
public sealed record UserReferral(string? ReferredBy, DateTimeOffset? ReferredAt, DateTimeOffset? CountedAt);

/// <summary>The referral columns of the users table; the referrals table itself is Referrals.ReferralStore's.</summary>
public sealed partial class UserStore
{
    /// <summary>Records who referred <paramref name="invitee"/> (a merge of the referral columns only; idempotent).</summary>
    public Task MarkReferredAsync(string invitee, string referrer, DateTimeOffset referredAt, CancellationToken cancellationToken) =>
        MergeReferralAsync(invitee, new Dictionary<string, object?> { [UserEntity.ReferredBy] = referrer, [UserEntity.ReferredAt] = referredAt }, cancellationToken);

    /// <summary>Records that <paramref name="invitee"/> was counted as an active friend of its referrer.</summary>
    public Task MarkReferralCountedAsync(string invitee, DateTimeOffset countedAt, CancellationToken cancellationToken) =>
        MergeReferralAsync(invitee, new Dictionary<string, object?> { [UserEntity.ReferralCountedAt] = countedAt }, cancellationToken);

    // unconditional: no other writer spells these columns, and the row exists (the ingest wrote it before its follow-ups)
    private async Task MergeReferralAsync(string userId, Dictionary<string, object?> columns, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Users, cancellationToken);
        await table.UpdateEntityAsync(new TableEntity(columns) { PartitionKey = shards.Of(userId), RowKey = userId }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }
}
