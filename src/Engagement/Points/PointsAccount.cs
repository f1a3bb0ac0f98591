using Engagement.Activity;

namespace Engagement.Points;

/// <summary>The ledger's entry kinds: an earn adds, a spend and an expiry take away.</summary>
public static class PointsKinds
{
    public const string Earn = "earn", Spend = "spend", Expire = "expire";
}

/// <summary>Points earned on one local day (ops zone), valid until the start of <see cref="ExpiresOn"/>, <see cref="Remaining"/> of them unspent.</summary>
public sealed record PointsBatch(DateOnly EarnedOn, DateOnly ExpiresOn, long Remaining);

/// <summary>How much of a spend came out of the batch earned on <paramref name="EarnedOn"/>.</summary>
public sealed record PointsDraw(DateOnly EarnedOn, long Points);

/// <summary>
/// One immutable ledger entry. <see cref="Points"/> is positive; <see cref="Delta"/> carries the direction. An earn and an
/// expiry name their batch (<see cref="Batch"/>); a spend lists the batches it drew from (<see cref="Draws"/>).
/// </summary>
public sealed record PointsEntry(string Kind, string SourceKey, long Points, DateTimeOffset At, DateOnly? Batch, IReadOnlyList<PointsDraw> Draws, long BalanceAfter)
{
    public long Delta => Kind == PointsKinds.Earn ? Points : -Points;
}

/// <summary>The settings an account's moves depend on: the ops calendar (local days), the expiry and the level thresholds.</summary>
public sealed record PointsRules(ActivityCalendar Calendar, int ExpiresAfterMonths, IReadOnlyList<long> LevelThresholds)
{
    /// <summary>Points earned on <paramref name="earnedOn"/> are valid through the same day <see cref="ExpiresAfterMonths"/> later.</summary>
    public DateOnly ExpiryOf(DateOnly earnedOn) => earnedOn.AddMonths(ExpiresAfterMonths).AddDays(1);

    /// <summary>The instant a batch expires: the start of its expiry day in the ops zone.</summary>
    public DateTimeOffset ExpiresAt(PointsBatch batch) => Calendar.StartOf(batch.ExpiresOn);

    /// <summary>1 plus the thresholds reached, at most <see cref="PointsOptions.MaxLevel"/>.</summary>
    public int LevelFor(long lifetime) => Math.Min(PointsOptions.MaxLevel, 1 + LevelThresholds.Count(t => lifetime >= t));
}

/// <summary>What an operation did: the account after it, the entries to append (expiries first) and, when refused, why.</summary>
public sealed record PointsChange(PointsAccount Account, IReadOnlyList<PointsEntry> Entries, string? Refusal)
{
    public bool Refused => Refusal is not null;

    public void Deconstruct(out PointsAccount account, out IReadOnlyList<PointsEntry> entries)
    {
        account = Account;
        entries = Entries;
    }
}

/// <summary>
/// A user's points, pure (no storage): the open batches, soonest expiry first, hold the balance. Every move first expires
/// what is due, so the balance always equals the sum of the entries written (earn +, spend -, expire -) and the sum of the
/// open batches: an expiry removes only what is left of its batch, which spends already reduced, and never goes negative.
/// </summary>
public sealed record PointsAccount(long Balance, long Lifetime, int Level, IReadOnlyList<PointsBatch> Batches, DateTimeOffset AsOf)
{
    public static PointsAccount Empty { get; } = new(0, 0, 1, [], DateTimeOffset.MinValue);

    /// <summary>
    /// Awards <paramref name="points"/> (&gt; 0) into the batch of <paramref name="at"/>'s local day. The level follows the
    /// lifetime points and never goes down (a threshold raised later keeps a level reached).
    /// </summary>
    public PointsChange Earn(PointsRules rules, string sourceKey, long points, DateTimeOffset at)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        var (expired, entries) = ExpireDue(rules, at);
        at = expired.AsOf;
        var day = rules.Calendar.DateOf(at);
        var batches = expired.Batches.ToList();
        var i = batches.FindIndex(b => b.EarnedOn == day);
        if (i >= 0)
        {
            batches[i] = batches[i] with { Remaining = batches[i].Remaining + points };
        }
        else
        {
            batches.Add(new PointsBatch(day, rules.ExpiryOf(day), points));
        }

        var lifetime = expired.Lifetime + points;
        var account = expired with
        {
            Balance = expired.Balance + points,
            Lifetime = lifetime,
            Level = Math.Max(expired.Level, rules.LevelFor(lifetime)),
            Batches = Ordered(batches),
        };
        return new PointsChange(account, [.. entries, new PointsEntry(PointsKinds.Earn, sourceKey, points, at, day, [], account.Balance)], null);
    }

    /// <summary>Takes <paramref name="points"/> (&gt; 0) from the batches that expire soonest; refused when the balance is short.</summary>
    public PointsChange Spend(PointsRules rules, string sourceKey, long points, DateTimeOffset at)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        var (expired, entries) = ExpireDue(rules, at);
        if (expired.Balance < points)
        {
            return new PointsChange(expired, entries, $"needs {points} points, the balance is {expired.Balance}");
        }

        var left = points;
        var draws = new List<PointsDraw>();
        var batches = new List<PointsBatch>();
        foreach (var b in expired.Batches) // already ordered soonest expiry first
        {
            var take = Math.Min(left, b.Remaining);
            if (take > 0)
            {
                draws.Add(new PointsDraw(b.EarnedOn, take));
                left -= take;
            }

            if (b.Remaining > take)
            {
                batches.Add(b with { Remaining = b.Remaining - take });
            }
        }

        var account = expired with { Balance = expired.Balance - points, Batches = batches };
        return new PointsChange(account, [.. entries, new PointsEntry(PointsKinds.Spend, sourceKey, points, expired.AsOf, null, draws, account.Balance)], null);
    }

    /// <summary>
    /// One <c>expire</c> entry per batch whose expiry is at or before <paramref name="at"/> (its key: the earned day, so each
    /// batch expires once), at most <paramref name="max"/> of them, soonest first (a transaction holds at most 100 rows).
    /// A clock that reads earlier than the account's last move is taken as that move's time.
    /// </summary>
    public PointsChange ExpireDue(PointsRules rules, DateTimeOffset at, int max = int.MaxValue)
    {
        var now = at > AsOf ? at : AsOf;
        var entries = new List<PointsEntry>();
        var balance = Balance;
        var open = new List<PointsBatch>();
        foreach (var b in Batches)
        {
            if (entries.Count < max && rules.ExpiresAt(b) <= now)
            {
                balance -= b.Remaining;
                entries.Add(new PointsEntry(PointsKinds.Expire, ExpireKey(b.EarnedOn), b.Remaining, now, b.EarnedOn, [], balance));
            }
            else
            {
                open.Add(b);
            }
        }

        return new PointsChange(this with { Balance = balance, Batches = open, AsOf = now }, entries, null);
    }

    /// <summary>True when a batch is due at <paramref name="at"/> (more than one transaction's worth may be).</summary>
    public bool HasDue(PointsRules rules, DateTimeOffset at) => Batches.Count > 0 && rules.ExpiresAt(Batches[0]) <= (at > AsOf ? at : AsOf);

    /// <summary>The source key of a batch's expiry: its earned day.</summary>
    public static string ExpireKey(DateOnly earnedOn) => earnedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static List<PointsBatch> Ordered(IEnumerable<PointsBatch> batches) => [.. batches.OrderBy(b => b.ExpiresOn).ThenBy(b => b.EarnedOn)];
}
