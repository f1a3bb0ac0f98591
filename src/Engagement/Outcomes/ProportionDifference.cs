namespace Engagement.Outcomes;

/// <summary>A confidence interval [<paramref name="Low"/>, <paramref name="High"/>] around <paramref name="Estimate"/>.</summary>
public readonly record struct Interval(double Estimate, double Low, double High)
{
    /// <summary>The same interval times <paramref name="factor"/> (e.g. 100 for percentage points).</summary>
    public Interval Scale(double factor) => new(Estimate * factor, Low * factor, High * factor);
}

/// <summary>
/// Confidence intervals for proportions, pure. The lift of a campaign over its holdout is a difference of
/// two proportions with small or zero counts (a few reactivations among a small holdout), where the Wald
/// interval (p ± z·SE) collapses to a point or runs past [-1, 1]. Newcombe's hybrid score interval
/// (method 10 in Newcombe 1998, "Interval estimation for the difference between independent proportions")
/// combines the two arms' Wilson score intervals and stays inside [-1, 1] with zero counts.
/// </summary>
public static class ProportionDifference
{
    /// <summary>The normal quantile for a two-sided 95% interval.</summary>
    public const double Z95 = 1.959964;

    /// <summary>Wilson score interval for <paramref name="successes"/> of <paramref name="trials"/>; null when there are no trials.</summary>
    public static Interval? Wilson(long successes, long trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (trials == 0)
        {
            return null;
        }

        double x = successes, n = trials, z2 = z * z;
        var p = x / n;
        var center = (2 * x + z2) / (2 * (n + z2));
        var half = z * Math.Sqrt(z2 + 4 * x * (1 - p)) / (2 * (n + z2));
        // the bounds are exactly 0 at x = 0 and 1 at x = n, where rounding gives 1e-17 or 0.99999999999999989
        // (and an interval that no longer holds its own estimate); elsewhere clamp the rounding
        var low = successes == 0 ? 0 : Math.Max(0, center - half);
        var high = successes == trials ? 1 : Math.Min(1, center + half);
        return new Interval(p, low, high);
    }

    /// <summary>
    /// Newcombe's hybrid score interval for p1 - p2: d - sqrt((p1-l1)² + (u2-p2)²) to d + sqrt((u1-p1)² + (p2-l2)²),
    /// with (l, u) each arm's Wilson interval. Null when either arm has no trials.
    /// </summary>
    public static Interval? Newcombe(long successes1, long trials1, long successes2, long trials2, double z = Z95)
    {
        if (Wilson(successes1, trials1, z) is not { } a || Wilson(successes2, trials2, z) is not { } b)
        {
            return null;
        }

        var d = a.Estimate - b.Estimate;
        var delta = Math.Sqrt(Square(a.Estimate - a.Low) + Square(b.High - b.Estimate));
        var epsilon = Math.Sqrt(Square(a.High - a.Estimate) + Square(b.Estimate - b.Low));
        return new Interval(d, Math.Max(-1, d - delta), Math.Min(1, d + epsilon));
    }

    private static double Square(double v) => v * v;
}
