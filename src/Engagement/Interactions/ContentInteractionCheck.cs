using Engagement.Activity;
using Engagement.Ingest;
using Engagement.Messaging;

namespace Engagement.Interactions;

/// <summary>
/// Refuses a message whose content events name an unknown item or delivery, or another user's delivery, before any
/// of it is applied: the same path as an event that does not parse (the errors table, the poison queue, nothing counted).
/// </summary>
public sealed class ContentInteractionCheck(ContentInteractionLookup lookup) : IIngestCheck
{
    private const int MaxListed = 20;

    public async Task CheckAsync(IReadOnlyList<ActivityEvent> events, CancellationToken cancellationToken)
    {
        var (_, problems) = await lookup.ResolveAsync(events, cancellationToken);
        if (problems.Count > 0)
        {
            throw new MalformedMessageException(string.Join("; ", problems.Take(MaxListed)) + (problems.Count > MaxListed ? $"; and {problems.Count - MaxListed} more" : ""));
        }
    }
}
