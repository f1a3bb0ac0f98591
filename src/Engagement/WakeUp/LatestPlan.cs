using System.Globalization;

namespace Engagement.WakeUp;

/// <summary>
/// A user's latest plan as kept on the user row (<see cref="Users.UserEntity.WakeUpPlan"/>, text <c>planId|startedAt</c>):
/// enough for the starter's cooldown and for ending a plan early, without reading the plans table.
/// </summary>
public sealed record LatestPlan(string PlanId, DateTimeOffset StartedAt)
{
    /// <summary>How long after its start a plan may still be running: seven local days from a first day at most a day later, and a day's slack.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromDays(WakeUpOptions.Steps + 2);

    public string Format() => PlanId + "|" + StartedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The column's value, or null when absent or not in this form.</summary>
    public static LatestPlan? Parse(string? text)
    {
        var bar = text?.IndexOf('|', StringComparison.Ordinal) ?? -1;
        return bar > 0 && DateTimeOffset.TryParse(text![(bar + 1)..], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? new LatestPlan(text[..bar], at)
            : null;
    }

    /// <summary>Whether the plan may still be running at <paramref name="now"/> (its state then needs a read to tell).</summary>
    public bool MayRun(DateTimeOffset now) => now - StartedAt < Span;
}
