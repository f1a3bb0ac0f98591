using Engagement.Ingest;

namespace Engagement.Interactions;

/// <summary>
/// Counts the content events of an ingested chunk on the <c>contentinteractions</c> table once their users' activity is
/// written. Applied events and repeats come here alike (a redelivery re-runs this): the table's one row per user and
/// item makes a repeat count nothing. Conflicting events (an id reused with another body) never come here.
/// </summary>
public sealed class ContentInteractionCounter(ContentInteractionLookup lookup, ContentInteractionStore store) : IIngestFollowUp
{
    public IReadOnlyCollection<string> Columns => [];

    public async Task FollowAsync(IReadOnlyList<IngestedUser> users, CancellationToken cancellationToken)
    {
        var events = users.SelectMany(u => u.Events).Where(e => e.Content is not null).ToList();
        if (events.Count == 0)
        {
            return;
        }

        var (resolved, problems) = await lookup.ResolveAsync(events, cancellationToken);
        if (problems.Count > 0)
        {
            // the check passed them before the ingest and neither items nor deliveries are deleted: a fault, so retry
            throw new InvalidOperationException("content events no longer resolve: " + string.Join("; ", problems));
        }

        foreach (var interaction in resolved)
        {
            await store.RecordAsync(interaction.Seen, cancellationToken);
        }
    }
}
