using Engagement.Activity;
using Engagement.Delivery;
using Engagement.Ingest;

namespace Engagement.Interactions;

/// <summary>
/// "Mark read" in the in-app inbox. Reading a content campaign's message is opening its item: it goes through the
/// ingest as a <c>content_open</c> event, the app's own path (the same checks, activity, interest and counting), with an
/// event id and time fixed by the inbox row (<c>inbox-read:{campaignId}|{occurrence}</c> at its first
/// <see cref="InboxRow.ReadAt"/>), so marking it read again, or a retry after a crash, is a repeat that counts nothing.
/// </summary>
public sealed class InboxReads(Inbox inbox, ContentInteractionLookup lookup, ActivityIngestHandler ingest)
{
    public const string EventIdPrefix = "inbox-read:";

    /// <summary>Marks the user's messages of <paramref name="campaignId"/> read; returns them (none: the user has no such message).</summary>
    public async Task<IReadOnlyList<InboxRow>> MarkReadAsync(string userId, string campaignId, CancellationToken cancellationToken)
    {
        var read = await inbox.MarkReadAsync(userId, campaignId, cancellationToken);
        if (read.Count == 0 || await lookup.DeliveredContentAsync(campaignId, cancellationToken) is not { } contentId)
        {
            return read;
        }

        // rows read before ReadAt was kept, or written without a delivery, cannot be told apart from a new read: not counted
        var opens = read
            .Where(r => r is { ReadAt: not null, DeliveryId: not null })
            .Select(r => new ActivityEvent(
                $"{EventIdPrefix}{campaignId}|{r.Occurrence}", userId, ActivityType.Interaction, 0, null, r.ReadAt!.Value,
                Content: new ContentInteraction(ContentAction.Open, contentId, r.DeliveryId!)))
            .ToList();
        if (opens.Count > 0)
        {
            await ingest.IngestAsync(opens, cancellationToken);
        }

        return read;
    }
}
