using Engagement.Content;
using Engagement.Outcomes;

namespace Engagement.Interactions;

/// <summary>
/// One group's interaction rate against its holdout's organic rate: <see cref="Interacted"/> of <see cref="Reached"/>
/// treated users opened or clicked the run's item in the window; <see cref="Organic"/> of <see cref="HeldOut"/> held-out
/// users interacted on their own in the categories of the item they would have got (docs/decisions.md).
/// </summary>
public sealed record ContentRates(int Reached, int Interacted, int HeldOut, int Organic)
{
    public double Rate => Reached == 0 ? 0 : (double)Interacted / Reached;

    public double OrganicRate => HeldOut == 0 ? 0 : (double)Organic / HeldOut;

    /// <summary>Treated minus holdout, in percentage points, with its 95% interval (null without both groups).</summary>
    public Interval? Lift => ProportionDifference.Newcombe(Interacted, Reached, Organic, HeldOut)?.Scale(100);
}

/// <summary>
/// A weekly content run's outcome: users picked (treated, with an item) and held out (with the item they would have got),
/// sent (reached: an accepted delivery in the ledger), opened and clicked within the window, the rates overall and per
/// category (the item's first), and the open rate of items picked by the user's interest against the others.
/// </summary>
public sealed record ContentRunOutcome(
    string RunId,
    DateTimeOffset At,
    int Picked,
    int HeldOut,
    int Sent,
    int Opened,
    int Clicked,
    ContentRates Rates,
    IReadOnlyList<(string Category, ContentRates Rates)> PerCategory,
    int SentMatching,
    int OpenedMatching,
    int SentOther,
    int OpenedOther)
{
    public double MatchingOpenRate => SentMatching == 0 ? 0 : (double)OpenedMatching / SentMatching;

    public double OtherOpenRate => SentOther == 0 ? 0 : (double)OpenedOther / SentOther;

    /// <summary>
    /// The outcome, pure. A treated user counts once whatever they did: opened and clicked is one interaction. Their window
    /// is [the run's occurrence, the first accepted send + <paramref name="windowDays"/>); the holdout's, with no send, is the
    /// ops-zone days [the run's day, + <paramref name="windowDays"/>), the grain of <see cref="RecentInteractions"/>.
    /// </summary>
    /// <param name="picks">The run's recorded picks by user.</param>
    /// <param name="sentAt">The treated users reached, with their first accepted delivery's time.</param>
    /// <param name="interactions">Content interaction rows of the run's users (any item), first opened at or after the run.</param>
    /// <param name="recent">The held-out users' <see cref="RecentInteractions"/>.</param>
    /// <param name="runDay">The run's day in the ops zone.</param>
    public static ContentRunOutcome Decide(
        string runId,
        DateTimeOffset at,
        IReadOnlyDictionary<string, ContentRunPick> picks,
        IReadOnlyDictionary<string, DateTimeOffset> sentAt,
        IReadOnlyList<ContentInteractionRow> interactions,
        IReadOnlyDictionary<string, RecentInteractions> recent,
        DateOnly runDay,
        int windowDays)
    {
        var byUser = interactions.ToLookup(r => r.UserId, StringComparer.Ordinal);
        var treated = picks.Values.Where(p => !p.HeldOut && p.ItemId is not null).ToList();
        var held = picks.Values.Where(p => p.HeldOut && p.ItemId is not null).ToList();
        var holdoutEnd = at.AddDays(windowDays);
        var untilDay = runDay.AddDays(windowDays);

        var reached = new List<(ContentRunPick Pick, bool Opened, bool Clicked)>();
        foreach (var pick in treated)
        {
            if (!sentAt.TryGetValue(pick.UserId, out var sent))
            {
                continue;
            }

            var end = sent.AddDays(windowDays);
            bool In(DateTimeOffset? t) => t is { } v && v >= at && v < end;
            var row = byUser[pick.UserId].FirstOrDefault(r => r.ContentId == pick.ItemId);
            // a click implies an open: a click in the window opened it in the window, whenever the first open was
            var clicked = In(row?.FirstClickedAt);
            reached.Add((pick, clicked || In(row?.FirstOpenedAt), clicked));
        }

        bool Organic(ContentRunPick pick) =>
            (recent.TryGetValue(pick.UserId, out var days) && days.Any(pick.Categories, runDay, untilDay))
            || byUser[pick.UserId].Any(r => r.Categories.Intersect(pick.Categories, StringComparer.Ordinal).Any()
                && ((r.FirstOpenedAt >= at && r.FirstOpenedAt < holdoutEnd) || (r.FirstClickedAt is { } c && c >= at && c < holdoutEnd)));
        var organic = held.Select(p => (Pick: p, Organic: Organic(p))).ToList();

        ContentRates RatesOf(IEnumerable<(ContentRunPick Pick, bool Opened, bool Clicked)> t, IEnumerable<(ContentRunPick Pick, bool Organic)> h)
        {
            var (tl, hl) = (t.ToList(), h.ToList());
            return new ContentRates(tl.Count, tl.Count(x => x.Opened), hl.Count, hl.Count(x => x.Organic));
        }

        static string CategoryOf(ContentRunPick p) => p.Categories.Count > 0 ? p.Categories[0] : "(none)";
        var categories = reached.Select(r => CategoryOf(r.Pick)).Concat(organic.Select(o => CategoryOf(o.Pick))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var matching = reached.Where(r => r.Pick.Basis == ContentPickBasis.Interest).ToList();
        var other = reached.Where(r => r.Pick.Basis != ContentPickBasis.Interest).ToList();
        return new ContentRunOutcome(
            runId, at, treated.Count, held.Count, reached.Count, reached.Count(r => r.Opened), reached.Count(r => r.Clicked),
            RatesOf(reached, organic),
            [.. categories.Select(c => (c, RatesOf(reached.Where(r => CategoryOf(r.Pick) == c), organic.Where(o => CategoryOf(o.Pick) == c))))],
            matching.Count, matching.Count(r => r.Opened), other.Count, other.Count(r => r.Opened));
    }
}
