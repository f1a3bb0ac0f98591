using System.Globalization;
using Engagement.Users;

namespace Engagement.Segmentation;

/// <summary>
/// Four cut-offs that turn a value into a quintile score 1-5 across all users with history.
/// <para>Ascending metrics (F, M): score(v) = 1 + floor(5 * #{values &lt; v} / n).
/// Descending (R, fewer days is better): score(v) = 1 + floor(5 * #{values &gt; v} / n).</para>
/// Equal values always get equal scores (ties never straddle a cut-off), which means a heavy
/// tie (say 60% of users spent nothing) can leave a score unused. Same as pandas
/// <c>1 + floor(5 * (s.rank(method="min") - 1) / len(s))</c> (with <c>ascending=False</c> for R).
/// A null bound is one no value reaches (written "-").
/// </summary>
public sealed record QuintileCutoffs(bool Descending, long? B1, long? B2, long? B3, long? B4)
{
    public static QuintileCutoffs From(ValueHistogram histogram, bool descending)
    {
        var n = histogram.Total;
        var bounds = new long?[4];
        var values = histogram.Values;
        var counts = histogram.Counts;
        if (!descending)
        {
            // b_k = smallest value v with 5 * less(v) >= k * n
            long less = 0;
            var k = 1;
            for (var i = 0; i < values.Length && k <= 4; i++)
            {
                while (k <= 4 && 5 * less >= k * n)
                {
                    bounds[k - 1] = values[i];
                    k++;
                }

                less += counts[i];
            }
        }
        else
        {
            // c_k = largest value v with 5 * greater(v) >= k * n
            long greater = 0;
            var k = 1;
            for (var i = values.Length - 1; i >= 0 && k <= 4; i--)
            {
                while (k <= 4 && 5 * greater >= k * n)
                {
                    bounds[k - 1] = values[i];
                    k++;
                }

                greater += counts[i];
            }
        }

        return new QuintileCutoffs(descending, bounds[0], bounds[1], bounds[2], bounds[3]);
    }

    public int Score(long value) => 1 + Passes(value, B1) + Passes(value, B2) + Passes(value, B3) + Passes(value, B4);

    private int Passes(long value, long? bound) => bound is { } b && (Descending ? value <= b : value >= b) ? 1 : 0;

    public override string ToString() =>
        string.Join(',', new[] { Descending ? "desc" : "asc", Format(B1), Format(B2), Format(B3), Format(B4) });

    private static string Format(long? bound) => bound?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static long? ParseBound(string text) => text == "-" ? null : long.Parse(text, CultureInfo.InvariantCulture);

    public static QuintileCutoffs Parse(string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 5 || parts[0] is not ("asc" or "desc"))
        {
            throw new FormatException($"not a cut-off list: '{text}'");
        }

        return new QuintileCutoffs(
            parts[0] == "desc",
            ParseBound(parts[1]),
            ParseBound(parts[2]),
            ParseBound(parts[3]),
            ParseBound(parts[4]));
    }
}

/// <summary>The cut-offs for all three metrics, computed once per run from the merged histograms.</summary>
public sealed record RfmCutoffs(QuintileCutoffs R, QuintileCutoffs F, QuintileCutoffs M)
{
    public static RfmCutoffs From(ValueHistogram r, ValueHistogram f, ValueHistogram m) =>
        new(QuintileCutoffs.From(r, descending: true), QuintileCutoffs.From(f, descending: false), QuintileCutoffs.From(m, descending: false));

    public RfmScores Score(RfmValues v) =>
        v.HasHistory ? new RfmScores(R.Score(v.RecencyDays), F.Score(v.Frequency), M.Score(v.MonetaryMinor)) : RfmScores.None;
}
