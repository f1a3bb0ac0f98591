using System.Globalization;
using Engagement.Activity;

namespace Engagement.WakeUp;

/// <summary>
/// A step's task and window as the user row carries it: what the ingest needs to tell which events may complete it.
/// The stored step decides in the end (its state and send time); this only says which step to read.
/// </summary>
public sealed record ScheduledTask(int Step, ActivityType Type, string? Category, DateTimeOffset SendAt, DateTimeOffset ClosesAt)
{
    /// <summary>Whether an event does the task inside the step's scheduled window (the step may have gone out a little later).</summary>
    public bool Matches(ActivityEvent e) => WakeUpDecisions.DoesTask(Type, Category, SendAt, ClosesAt, e);
}

/// <summary>
/// A user's latest plan as kept on the user row (<see cref="Users.UserEntity.WakeUpPlan"/>, text
/// <c>planId|startedAt|step,type,category,sendAt,closesAt;…</c> with the category escaped as a URI component and the instants in Unix seconds, the steps empty for a held-out
/// plan): enough for the starter's cooldown, for ending a plan early, and for the ingest to find the step an event may
/// complete, all without reading the plans table. Written once when the plan starts, so sending a step writes nothing
/// on the user row. Text of the earlier form <c>planId|startedAt</c> parses with no steps (see <see cref="HasSchedule"/>).
/// </summary>
public sealed record LatestPlan(string PlanId, DateTimeOffset StartedAt)
{
    /// <summary>How long after its start a plan may still be running: seven local days from a first day at most a day later, and a day's slack.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromDays(WakeUpOptions.Steps + 2);

    public IReadOnlyList<ScheduledTask> Steps { get; init; } = [];

    /// <summary>Whether the text carried the steps (a plan started before the column did carries none: its open task is on the row).</summary>
    public bool HasSchedule { get; init; }

    public static LatestPlan Of(string planId, DateTimeOffset startedAt, IEnumerable<WakeUpStep> steps) =>
        new(planId, startedAt) { Steps = [.. steps.Select(s => new ScheduledTask(s.Number, s.Task.Completes, s.Task.Category, s.Time.SendAt, s.Time.ClosesAt))], HasSchedule = true };

    public string Format() => string.Join('|', PlanId, StartedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        string.Join(';', Steps.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Step},{s.Type},{Uri.EscapeDataString(s.Category ?? "")},{s.SendAt.ToUnixTimeSeconds()},{s.ClosesAt.ToUnixTimeSeconds()}"))));

    /// <summary>The column's value, or null when absent or not in this form.</summary>
    public static LatestPlan? Parse(string? text)
    {
        var parts = (text ?? "").Split('|');
        if (parts.Length is not (2 or 3) || parts[0].Length == 0
            || !DateTimeOffset.TryParse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
        {
            return null;
        }

        var plan = new LatestPlan(parts[0], at);
        if (parts.Length == 2)
        {
            return plan;
        }

        var steps = new List<ScheduledTask>();
        foreach (var step in parts[2].Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = step.Split(',');
            if (f.Length != 5 || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || !Enum.TryParse<ActivityType>(f[1], out var type)
                || !long.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var send)
                || !long.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var closes))
            {
                return plan; // text this version does not read: no steps, as for a plan of the earlier form
            }

            steps.Add(new ScheduledTask(number, type, f[2].Length == 0 ? null : Uri.UnescapeDataString(f[2]), DateTimeOffset.FromUnixTimeSeconds(send), DateTimeOffset.FromUnixTimeSeconds(closes)));
        }

        return plan with { Steps = steps, HasSchedule = true };
    }

    /// <summary>Whether the plan may still be running at <paramref name="now"/> (its state then needs a read to tell).</summary>
    public bool MayRun(DateTimeOffset now) => now - StartedAt < Span;
}
