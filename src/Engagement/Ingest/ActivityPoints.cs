using Engagement.Points;
using Engagement.Users;
using Microsoft.Extensions.Options;

namespace Engagement.Ingest;

/// <summary>
/// Growth points for activity (<c>Points:Earn</c>): per user of a chunk, the events that earn go into the ledger in one
/// move keyed <c>activity-{eventId}</c> (a replayed event earns nothing twice), and a level that changed is copied onto
/// the user row (<see cref="UserEntity.Level"/>) for audiences that select by level.
/// </summary>
public sealed class ActivityPoints(PointsStore points, UserStore store, IOptions<PointsOptions> options) : IIngestFollowUp
{
    public IReadOnlyCollection<string> Columns { get; } = [UserEntity.Level];

    /// <summary>
    /// The ledger key of an event's points: the event id, except that a content item's opens (and its clicks) earn once per
    /// user and item, as they are counted: opening the same item again, or marking it read, is no new interaction to reward.
    /// </summary>
    public static string SourceKey(Activity.ActivityEvent e) =>
        e.Content is { } content ? $"activity-content-{content.Action.ToString().ToLowerInvariant()}-{content.ContentId}" : $"activity-{e.EventId}";

    public async Task FollowAsync(IReadOnlyList<IngestedUser> users, CancellationToken cancellationToken)
    {
        var levels = new System.Collections.Concurrent.ConcurrentBag<(string UserId, object Level)>();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (user, ct) =>
        {
            var earns = user.Events.Select(e => (SourceKey(e), (long)options.Value.EarnFor(e.Type))).Where(e => e.Item2 > 0).DistinctBy(e => e.Item1).ToList();
            if (earns.Count == 0)
            {
                return;
            }

            var account = await points.EarnManyAsync(user.UserId, earns, ct);
            if (account.Level != (user.Row.GetInt32(UserEntity.Level) ?? 1))
            {
                levels.Add((user.UserId, account.Level));
            }
        });

        if (!levels.IsEmpty)
        {
            await store.SetColumnAsync(UserEntity.Level, [.. levels], cancellationToken);
        }
    }
}
