using Azure.Data.Tables;
using Engagement.Activity;

namespace Engagement.Ingest;

/// <summary>
/// One user of an ingested chunk, handed to the follow-ups once the user's row is written.
/// <see cref="Row"/> holds the columns the ingest read (activity and every follow-up's <see cref="IIngestFollowUp.Columns"/>)
/// with the activity as written; <see cref="Events"/> are the user's events of the chunk that were applied or were
/// repeats (not conflicts): a redelivered message hands its events over again, so a follow-up must be idempotent.
/// </summary>
public sealed record IngestedUser(string Shard, string UserId, TableEntity Row, IReadOnlyList<ActivityEvent> Events, bool Created);

/// <summary>
/// Work that follows activity (points earned, a wake-up task completed, a referral counted), run after the chunk's
/// user rows are written and before the message is done. A crash in between re-runs it on the redelivery, with the
/// same events as repeats, so each follow-up keys its effects by their source (event id, step, invitee).
/// Follow-ups sit above the ingest (they implement this, registered in DI); they never write the ingest's columns.
/// </summary>
public interface IIngestFollowUp
{
    /// <summary>User-row columns it needs in <see cref="IngestedUser.Row"/>, read with the activity (no extra request).</summary>
    IReadOnlyCollection<string> Columns { get; }

    /// <summary>One chunk's users: at most 100, all of one shard.</summary>
    Task FollowAsync(IReadOnlyList<IngestedUser> users, CancellationToken cancellationToken);
}
