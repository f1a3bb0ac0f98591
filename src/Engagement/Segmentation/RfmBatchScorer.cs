using Engagement.Users;
namespace Engagement.Segmentation;

/// <summary>
/// Scores a whole population held in memory (the <c>engage score</c> file tool and the benchmark):
/// exact histograms by sorting, the same cut-offs as the nightly job, then one pass to score and a
/// 6x6x6 lookup to tier (the rules are evaluated once per score combination, not once per user).
/// </summary>
public static class RfmBatchScorer
{
    public sealed record Result(RfmCutoffs Cutoffs, RfmScores[] Scores, string[] Tiers);

    public static Result Score(ReadOnlySpan<RfmValues> users, TierClassifier classifier)
    {
        var withHistory = 0;
        foreach (var u in users)
        {
            withHistory += u.HasHistory ? 1 : 0;
        }

        var r = new long[withHistory];
        var f = new long[withHistory];
        var m = new long[withHistory];
        var j = 0;
        foreach (var u in users)
        {
            if (u.HasHistory)
            {
                r[j] = u.RecencyDays;
                f[j] = u.Frequency;
                m[j] = u.MonetaryMinor;
                j++;
            }
        }

        // sort in place: these arrays are ours
        Array.Sort(r);
        Array.Sort(f);
        Array.Sort(m);
        var cutoffs = RfmCutoffs.From(ValueHistogram.FromSorted(r), ValueHistogram.FromSorted(f), ValueHistogram.FromSorted(m));

        var table = new string[6 * 6 * 6];
        for (var a = 1; a <= 5; a++)
        {
            for (var b = 1; b <= 5; b++)
            {
                for (var c = 1; c <= 5; c++)
                {
                    table[(a * 6 + b) * 6 + c] = classifier.Classify(new RfmScores(a, b, c));
                }
            }
        }

        var noHistoryTier = classifier.Classify(RfmValues.NoHistory, RfmScores.None, registeredOn: null, asOf: default);
        var scores = new RfmScores[users.Length];
        var tiers = new string[users.Length];
        for (var i = 0; i < users.Length; i++)
        {
            var s = cutoffs.Score(users[i]);
            scores[i] = s;
            tiers[i] = users[i].HasHistory ? table[(s.R * 6 + s.F) * 6 + s.M] : noHistoryTier;
        }

        return new Result(cutoffs, scores, tiers);
    }
}
