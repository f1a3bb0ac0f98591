using System.Globalization;

namespace Engagement.Content;

/// <summary>One item sent to a user, and when (the pick's history).</summary>
public readonly record struct ContentSend(string ItemId, DateTimeOffset SentAt);

/// <summary>What the pick went by: the user's interests, then the fallbacks in order; <see cref="None"/>: nothing to send.</summary>
public enum ContentPickBasis
{
    None,
    Interest,
    SimilarUsers,
    Popular,
    Catalogue,
}

/// <summary>A user's weekly item (null <see cref="ItemId"/>: none left) and why, in words for `engage content preview`.</summary>
public sealed record ContentPick(string? ItemId, string Reason, double Score, ContentPickBasis Basis);

/// <summary>
/// The weekly pick (issue 13), pure. An item's match is ranked by (1) the weight of the heaviest of the user's interests
/// it carries, then (2) its score, the sum of the user's decayed weights over its categories, then (3) priority and id
/// (the index's canonical order). Ranking by the heaviest interest first means an item of the user's strongest
/// interest always wins when one is unseen (the "prefers the strongest interest"), while among those the one
/// that also matches more of the user's other interests wins. Never an item sent within the repeat window; never an
/// inactive one (the index holds active items only). No signal or no unseen match: the item most taken up by users
/// with the same strongest interest, then overall, then the catalogue's canonical order.
/// One instance per thread: it keeps scratch arrays so 400k users cost no allocation per item.
/// </summary>
public sealed class ContentPicker
{
    private readonly ContentPickIndex _index;
    private readonly TimeSpan _window;
    private readonly double _halfLifeDays;
    private readonly int _windowWeeks;

    // per-item scratch, valid where the stamp equals the current pick's
    private readonly int[] _blocked;
    private readonly int[] _seen;
    private readonly double[] _top;
    private readonly double[] _sum;
    private readonly int[] _topCategory;
    private readonly int[] _touched;
    private int _stamp;

    public ContentPicker(ContentPickIndex index, ContentPickOptions options)
    {
        _index = index;
        _window = options.RepeatWindow;
        _windowWeeks = options.RepeatWindowWeeks;
        _halfLifeDays = options.HalfLifeDays;
        var n = index.Items.Count;
        _blocked = new int[n];
        _seen = new int[n];
        _top = new double[n];
        _sum = new double[n];
        _topCategory = new int[n];
        _touched = new int[n];
    }

    /// <summary>The pick for a user with <paramref name="profile"/> and the items sent to them (<paramref name="sent"/>, any age), at <paramref name="now"/>.</summary>
    public ContentPick Pick(InterestProfile profile, IReadOnlyList<ContentSend> sent, DateTimeOffset now)
    {
        var stamp = NextStamp();
        var blocked = 0;
        for (var s = 0; s < sent.Count; s++)
        {
            // a send in the future (a clock ahead) counts as inside the window
            if (now - sent[s].SentAt < _window && _index.TryIndexOf(sent[s].ItemId, out var i) && _blocked[i] != stamp)
            {
                _blocked[i] = stamp;
                blocked++;
            }
        }

        if (blocked == _index.Items.Count)
        {
            var why = blocked == 0 ? "no active item in the catalogue" : $"every active item was sent within the last {_windowWeeks} weeks";
            return new ContentPick(null, why, 0, ContentPickBasis.None);
        }

        var decay = InterestProfile.Decay(profile.AsOf, now, _halfLifeDays);
        var signal = profile.Count > 0 && profile.Weights[0] * decay > 0;
        if (signal && Match(profile, decay, stamp) is { } match)
        {
            return match;
        }

        return Fallback(signal ? profile.Strongest : null, stamp);
    }

    private ContentPick? Match(InterestProfile profile, double decay, int stamp)
    {
        var touched = 0;
        var categories = profile.Categories;
        var weights = profile.Weights;
        for (var c = 0; c < categories.Count; c++)
        {
            var w = weights[c] * decay;
            if (w <= 0)
            {
                break; // heaviest first: the rest are zero too
            }

            foreach (var i in _index.ItemsOf(categories[c]))
            {
                if (_blocked[i] == stamp)
                {
                    continue;
                }

                if (_seen[i] != stamp)
                {
                    // heaviest first: the first interest to reach an item is its heaviest
                    _seen[i] = stamp;
                    _top[i] = w;
                    _sum[i] = w;
                    _topCategory[i] = c;
                    _touched[touched++] = i;
                }
                else
                {
                    _sum[i] += w;
                }
            }
        }

        if (touched == 0)
        {
            return null;
        }

        var best = _touched[0];
        for (var t = 1; t < touched; t++)
        {
            var i = _touched[t];
            if (_top[i] > _top[best] || (_top[i] == _top[best] && (_sum[i] > _sum[best] || (_sum[i] == _sum[best] && i < best))))
            {
                best = i;
            }
        }

        var category = categories[_topCategory[best]];
        var score = _sum[best];
        var reason = _top[best] == weights[0] * decay
            ? string.Create(CultureInfo.InvariantCulture, $"matches your strongest interest '{category}' ({score:0.##})")
            : string.Create(CultureInfo.InvariantCulture, $"matches your interest '{category}' ({score:0.##}); nothing unseen for '{categories[0]}'");
        return new ContentPick(_index.Items[best].Id, reason, score, ContentPickBasis.Interest);
    }

    private ContentPick Fallback(string? strongest, int stamp)
    {
        var prefix = strongest is null ? "no interests yet" : "nothing unseen matches your interests";
        if (strongest is not null)
        {
            foreach (var i in _index.PopularAmong(strongest))
            {
                if (_blocked[i] != stamp)
                {
                    return new ContentPick(_index.Items[i].Id, $"{prefix}; popular with users who like '{strongest}'", 0, ContentPickBasis.SimilarUsers);
                }
            }
        }

        foreach (var i in _index.PopularOverall)
        {
            if (_blocked[i] != stamp)
            {
                return _index.OverallCount(i) > 0
                    ? new ContentPick(_index.Items[i].Id, $"{prefix}; popular with all users", 0, ContentPickBasis.Popular)
                    : new ContentPick(_index.Items[i].Id, $"{prefix}; the catalogue's first unseen item by priority", 0, ContentPickBasis.Catalogue);
            }
        }

        throw new InvalidOperationException("unreachable: an unblocked item exists"); // Pick returned earlier when every item was blocked
    }

    private int NextStamp()
    {
        if (_stamp == int.MaxValue)
        {
            Array.Clear(_blocked);
            Array.Clear(_seen);
            _stamp = 0;
        }

        return ++_stamp;
    }
}
