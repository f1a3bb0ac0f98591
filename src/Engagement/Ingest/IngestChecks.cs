using Engagement.Activity;

namespace Engagement.Ingest;

/// <summary>
/// A check of parsed events against what is stored (the content item and the delivery a content event names), run
/// before anything of the message is applied: a bad event then fails its message like a parse error does (all or
/// nothing; on the queue: the errors table and the poison queue), and nothing of it is counted.
/// Checks sit above the ingest like <see cref="IIngestFollowUp"/>s (registered in DI) and only read.
/// </summary>
public interface IIngestCheck
{
    /// <exception cref="Messaging.MalformedMessageException">An event refers to something that is not there or not the user's; the message names every such event.</exception>
    Task CheckAsync(IReadOnlyList<ActivityEvent> events, CancellationToken cancellationToken);
}
