using Engagement.Campaigns;

namespace Engagement.Content;

/// <summary>One user of the tier as the weekly pass reads them: interests and the items sent within the window.</summary>
public sealed record ContentWeeklyUser(string UserId, InterestProfile Profile, IReadOnlyList<ContentSend> Sent);

/// <summary>What a pass of a weekly run decided: the picks to record, and the <c>ContentSent</c> column of each user who gets an item.</summary>
public sealed record ContentWeeklyPlan(IReadOnlyList<ContentRunPick> Picks, IReadOnlyList<(string UserId, string Sent)> SentColumns);

/// <summary>
/// The weekly run's decide step, pure (docs/decisions.md, "The weekly content run records before it hands off"). Per
/// user of the tier, in user id order: a user already recorded for the run is skipped (the timer firing twice, a resume);
/// a held-out user (drawn per user and run) is recorded with the item they would have got and is sent nothing; a user
/// whose <c>ContentSent</c> already holds this run's instant was picked by a pass that died between the column and the
/// record, and is recorded with that item again; everyone else gets the picker's item, in a campaign of at most
/// <see cref="ContentTrigger.MaxUsers"/> users per item, numbered after the run's existing campaigns of that item.
/// </summary>
public static class ContentWeeklyDecisions
{
    /// <param name="recorded">The picks the run has recorded already.</param>
    /// <param name="at">The run's occurrence: the instant every send of the run is recorded at, and the pick's "now".</param>
    public static ContentWeeklyPlan Decide(
        string runId,
        DateTimeOffset at,
        IEnumerable<ContentWeeklyUser> users,
        IReadOnlyDictionary<string, ContentRunPick> recorded,
        ContentPickIndex index,
        ContentPickOptions pick,
        int holdoutPercent)
    {
        var picker = new ContentPicker(index, pick);
        var picks = new List<ContentRunPick>();
        var sentColumns = new List<(string UserId, string Sent)>();
        var treated = new List<(string UserId, ContentItem Item)>();
        foreach (var user in users.OrderBy(u => u.UserId, StringComparer.Ordinal))
        {
            if (recorded.ContainsKey(user.UserId))
            {
                continue;
            }

            // this run's own entry is not history: the pick is decided as if the interrupted pass had not happened
            var earlier = user.Sent.Where(s => s.SentAt != at).ToList();
            var choice = picker.Pick(user.Profile, earlier, at);
            if (CampaignPlanner.IsHeldOut(runId, user.UserId, holdoutPercent))
            {
                picks.Add(Record(user.UserId, choice, index, heldOut: true));
                continue;
            }

            if (user.Sent.FirstOrDefault(s => s.SentAt == at && Find(index, s.ItemId) is not null) is { ItemId: { } interrupted } && interrupted != choice.ItemId)
            {
                choice = new ContentPick(interrupted, "picked by an earlier pass of this run that was interrupted before its record", 0, ContentPickBasis.None);
            }

            if (choice.ItemId is null || Find(index, choice.ItemId) is not { } item)
            {
                picks.Add(Record(user.UserId, choice, index, heldOut: false));
                continue;
            }

            treated.Add((user.UserId, item));
            sentColumns.Add((user.UserId, ContentSentText.Format(ContentSentText.With(earlier, new ContentSend(item.Id, at), pick.RepeatWindow))));
            picks.Add(Record(user.UserId, choice, index, heldOut: false));
        }

        // campaigns per item, users in id order, numbered after the campaigns the run has of that item already
        var campaignOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var existing = recorded.Values.Where(r => r.CampaignId is not null).DistinctBy(r => r.CampaignId, StringComparer.Ordinal)
            .CountBy(r => r.ItemId!, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        foreach (var group in treated.GroupBy(t => t.Item.Id, StringComparer.Ordinal))
        {
            var chunk = existing.GetValueOrDefault(group.Key);
            foreach (var members in group.Chunk(ContentTrigger.MaxUsers))
            {
                var campaign = ContentTrigger.CampaignId(runId, group.Key, chunk++);
                foreach (var (userId, _) in members)
                {
                    campaignOf[userId] = campaign;
                }
            }
        }

        return new ContentWeeklyPlan([.. picks.Select(p => campaignOf.TryGetValue(p.UserId, out var c) ? p with { CampaignId = c } : p)], sentColumns);
    }

    /// <summary>
    /// Popularity from what the tier was sent within the window (overall, and among users by their strongest interest),
    /// read in the same pass as the interests: no other table is read. The sends of the run itself do not count.
    /// </summary>
    public static ContentPopularity Popularity(IEnumerable<ContentWeeklyUser> users, DateTimeOffset at, TimeSpan window)
    {
        var overall = new Dictionary<string, long>(StringComparer.Ordinal);
        var byTop = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            var top = user.Profile.Strongest;
            foreach (var sent in user.Sent.Where(s => s.SentAt < at && at - s.SentAt < window))
            {
                overall[sent.ItemId] = overall.GetValueOrDefault(sent.ItemId) + 1;
                if (top is not null)
                {
                    var counts = byTop.TryGetValue(top, out var c) ? c : byTop[top] = new Dictionary<string, long>(StringComparer.Ordinal);
                    counts[sent.ItemId] = counts.GetValueOrDefault(sent.ItemId) + 1;
                }
            }
        }

        return new ContentPopularity(overall, byTop.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, long>)p.Value, StringComparer.Ordinal));
    }

    private static ContentItem? Find(ContentPickIndex index, string itemId) => index.TryIndexOf(itemId, out var i) ? index.Items[i] : null;

    private static ContentRunPick Record(string userId, ContentPick choice, ContentPickIndex index, bool heldOut) =>
        new(userId, choice.ItemId, choice.ItemId is { } id && Find(index, id) is { } item ? item.Categories : [], choice.Basis, choice.Reason, choice.Score, heldOut, null);
}
