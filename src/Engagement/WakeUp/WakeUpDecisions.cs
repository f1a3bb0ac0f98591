using Engagement.Activity;
using Engagement.Campaigns;

namespace Engagement.WakeUp;

/// <summary>Whether a user starts a plan, and if so whether they are held out.</summary>
/// <param name="Reason">Why no plan starts (disabled, registration starts off, a running plan, the cool-down).</param>
public sealed record WakeUpStart(bool Starts, bool HeldOut, string? Reason)
{
    public static WakeUpStart No(string reason) => new(false, false, reason);
}

/// <summary>The wake-up plan's rules, pure: who starts one, which tasks it draws, what completes a step, what ends a plan.</summary>
public static class WakeUpDecisions
{
    /// <summary>The holdout key: a user stays in the same group whenever they start a plan again.</summary>
    public const string HoldoutKey = "wakeup";

    /// <param name="lastStartedAt">When the user's latest plan started (null: never had one).</param>
    /// <param name="running">Whether that plan is still running.</param>
    public static WakeUpStart Start(WakeUpOptions options, string userId, WakeUpStartCause cause, DateTimeOffset? lastStartedAt, bool running, DateTimeOffset now)
    {
        if (!options.Enabled)
        {
            return WakeUpStart.No("the wake-up plan is disabled (WakeUp:Enabled)");
        }

        if (cause == WakeUpStartCause.Registered && !options.StartOnRegistration)
        {
            return WakeUpStart.No("registrations start no plan (WakeUp:StartOnRegistration)");
        }

        if (running)
        {
            return WakeUpStart.No("a plan is running");
        }

        if (lastStartedAt is { } last && now - last < TimeSpan.FromDays(options.CooldownDays))
        {
            return WakeUpStart.No($"a plan started {last:yyyy-MM-dd}, within {options.CooldownDays} days (WakeUp:CooldownDays)");
        }

        return new WakeUpStart(true, CampaignPlanner.IsHeldOut(HoldoutKey, userId, options.HoldoutPercent), null);
    }

    /// <summary>The seven tasks of a new plan: the catalogue's enabled tasks in order (lightest first), one a day.</summary>
    public static IReadOnlyList<WakeUpStepTask> DrawTasks(WakeUpOptions options) =>
        [.. options.Catalogue.Where(t => t.Enabled).Take(WakeUpOptions.Steps)
            .Select(t => new WakeUpStepTask(t.Kind, Enum.Parse<ActivityType>(t.Completes, ignoreCase: true), string.IsNullOrWhiteSpace(t.Category) ? null : t.Category, t.Points, t.Template))];

    /// <summary>A plan's steps, all due, each at the local time of its own local day.</summary>
    public static IReadOnlyList<WakeUpStep> Steps(IReadOnlyList<WakeUpStepTask> tasks, DateOnly firstDay, TimeOnly localTime, TimeZoneInfo zone) =>
        [.. WakeUpSchedule.Of(firstDay, localTime, zone).Zip(tasks, (time, task) => new WakeUpStep(time.Step, task, time, WakeUpStepStates.Due))];

    /// <summary>
    /// Whether an activity event completes a step: the step was sent and is still open (the event happened
    /// after it was sent and before its local day closed), and the event is the task's type (and category,
    /// when the task names one). A step not sent yet, or closed, is completed by nothing.
    /// </summary>
    public static bool Completes(WakeUpStep step, ActivityEvent e) =>
        step.State == WakeUpStepStates.Sent && step.SentAt is { } sent && DoesTask(step.Task.Completes, step.Task.Category, sent, step.Time.ClosesAt, e);

    /// <summary>The task rule alone: the event is of the task's type (and category, when it names one) and happened in [sent, closes).</summary>
    public static bool DoesTask(ActivityType type, string? category, DateTimeOffset sent, DateTimeOffset closes, ActivityEvent e) =>
        e.Type == type && e.OccurredAt >= sent && e.OccurredAt < closes
        && (category is null || string.Equals(category, e.Category, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Why a running plan ends before step 7, or null: the user opted out of every channel a step could use
    /// (push and in-app), or moved to a better tier than the plan's (tiers are ordered best first).
    /// </summary>
    public static string? EndsEarly(string planTier, string currentTier, IReadOnlyList<string> tiersBestFirst, bool consentPush, bool consentInApp)
    {
        if (!consentPush && !consentInApp)
        {
            return "opted out of every channel";
        }

        var from = IndexOf(tiersBestFirst, planTier);
        var to = IndexOf(tiersBestFirst, currentTier);
        return from >= 0 && to >= 0 && to < from ? $"left the tier upward ({planTier} -> {currentTier})" : null;
    }

    private static int IndexOf(IReadOnlyList<string> tiers, string tier)
    {
        for (var i = 0; i < tiers.Count; i++)
        {
            if (string.Equals(tiers[i], tier, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
