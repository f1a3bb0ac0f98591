namespace Engagement.Users;

/// <summary>Quintile scores 1-5 (5 best); 0 means "no history".</summary>
public readonly record struct RfmScores(int R, int F, int M)
{
    public static readonly RfmScores None = new(0, 0, 0);

    public int Total => R + F + M;

    public override string ToString() => $"{R}{F}{M}";
}

/// <summary>A user's scores and tier as written by the nightly job; TierSince is the as-of date the tier was entered (yyyy-MM-dd).</summary>
public sealed record RfmStanding(RfmScores Scores, string Tier, string? TierSince);
