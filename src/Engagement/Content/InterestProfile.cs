using System.Globalization;
using Engagement.Activity;

namespace Engagement.Content;

/// <summary>
/// A user's interests (issue 13): category -> weight as of <see cref="AsOf"/>. Each activity event adds its type's weight
/// to its category; every weight halves per half-life (weight * 0.5^(days / half-life)), so old interests fade without
/// a rewrite. Immutable; categories are held heaviest first (ties: category ordinal), at most <see cref="MaxCategories"/>,
/// and weights below <see cref="MinWeight"/> are dropped, so the user-row column (<see cref="Format"/>) stays short.
/// </summary>
public sealed class InterestProfile
{
    public const int MaxCategories = 16;

    /// <summary>Below this a weight is noise: a single interaction (weight 1) reaches it after ~10 half-lives.</summary>
    public const double MinWeight = 0.001;

    public static readonly InterestProfile Empty = new(DateTimeOffset.MinValue, [], []);

    private readonly string[] _categories;
    private readonly double[] _weights;

    private InterestProfile(DateTimeOffset asOf, string[] categories, double[] weights)
    {
        AsOf = asOf;
        _categories = categories;
        _weights = weights;
    }

    public DateTimeOffset AsOf { get; }

    public int Count => _categories.Length;

    /// <summary>Categories heaviest first (ties: ordinal); <see cref="Weights"/> in the same order.</summary>
    public IReadOnlyList<string> Categories => _categories;

    public IReadOnlyList<double> Weights => _weights;

    /// <summary>The heaviest category, or null without any signal.</summary>
    public string? Strongest => _categories.Length == 0 ? null : _categories[0];

    /// <summary>The weight of <paramref name="category"/> as of <see cref="AsOf"/> (0 when absent).</summary>
    public double WeightOf(string category)
    {
        var i = Array.IndexOf(_categories, category);
        return i < 0 ? 0 : _weights[i];
    }

    /// <summary>The factor a weight kept since <paramref name="from"/> is worth at <paramref name="to"/>; never above 1 (no growth backwards).</summary>
    public static double Decay(DateTimeOffset from, DateTimeOffset to, double halfLifeDays)
    {
        var days = (to - from).TotalDays;
        return days <= 0 ? 1 : Math.Pow(0.5, days / halfLifeDays);
    }

    /// <summary>
    /// The profile with one more event: existing weights decayed to <paramref name="at"/> first, then the type's weight
    /// added to <paramref name="category"/>. An event older than <see cref="AsOf"/> (arriving late) is decayed to
    /// <see cref="AsOf"/> instead, so the order events arrive in does not matter.
    /// </summary>
    public InterestProfile Add(ActivityType type, string? category, DateTimeOffset at, ContentPickOptions options)
    {
        var weight = options.WeightOf(type);
        var profile = At(at, options.HalfLifeDays);
        if (category is null || weight <= 0)
        {
            return profile;
        }

        var added = weight * Decay(at, profile.AsOf, options.HalfLifeDays);
        var categories = new List<string>(profile._categories);
        var weights = new List<double>(profile._weights);
        var i = categories.IndexOf(category);
        if (i < 0)
        {
            categories.Add(category);
            weights.Add(added);
        }
        else
        {
            weights[i] += added;
        }

        return Create(profile.AsOf, categories, weights);
    }

    /// <summary>The weights as of <paramref name="date"/> (decayed; a date before <see cref="AsOf"/> changes nothing).</summary>
    public InterestProfile At(DateTimeOffset date, double halfLifeDays)
    {
        if (date <= AsOf)
        {
            return this;
        }

        var f = Decay(AsOf, date, halfLifeDays);
        var weights = new double[_weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = _weights[i] * f;
        }

        return Create(date, _categories, weights);
    }

    /// <summary>A profile from weights as of a date: sorted, bounded, negligible and non-positive weights dropped.</summary>
    public static InterestProfile Create(DateTimeOffset asOf, IEnumerable<string> categories, IEnumerable<double> weights)
    {
        var pairs = categories.Zip(weights)
            .Where(p => p.Second >= MinWeight && !double.IsInfinity(p.Second))
            .OrderByDescending(p => p.Second).ThenBy(p => p.First, StringComparer.Ordinal)
            .Take(MaxCategories)
            .ToArray();
        return new InterestProfile(asOf, [.. pairs.Select(p => p.First)], [.. pairs.Select(p => p.Second)]);
    }

    /// <summary>
    /// The user-row column: <c>2026-11-30T06:00:00Z;fitness:4.2,recipes:1.05</c> (as-of second in UTC, then category:weight
    /// heaviest first, weights to 6 significant digits). Categories hold no comma (the event contract), and the weight
    /// follows the last colon, so a category may hold a colon. Empty profile: the empty string.
    /// </summary>
    public string Format()
    {
        if (_categories.Length == 0)
        {
            return "";
        }

        var parts = new string[_categories.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = _categories[i] + ":" + _weights[i].ToString("G6", CultureInfo.InvariantCulture);
        }

        return AsOf.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + ";" + string.Join(',', parts);
    }

    public static InterestProfile Parse(string? text) =>
        TryParse(text, out var profile) ? profile : throw new FormatException($"'{text}' is not an interest profile (as-of;category:weight,...)");

    public static bool TryParse(string? text, out InterestProfile profile)
    {
        profile = Empty;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var semi = text.IndexOf(';', StringComparison.Ordinal);
        if (semi < 0 || !DateTimeOffset.TryParseExact(text[..semi], "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var asOf))
        {
            return false;
        }

        var categories = new List<string>();
        var weights = new List<double>();
        foreach (var part in text[(semi + 1)..].Split(','))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !double.TryParse(part.AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || categories.Contains(part[..colon]))
            {
                return false;
            }

            categories.Add(part[..colon]);
            weights.Add(w);
        }

        profile = Create(asOf, categories, weights);
        return true;
    }
}
