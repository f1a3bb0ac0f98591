namespace Engagement.WakeUp;

/// <summary>States of one wake-up step.</summary>
public static class WakeUpStepStates
{
    public const string Due = "due";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Completed = "completed";
    public const string Missed = "missed";
    public const string Skipped = "skipped";
    public const string Cancelled = "cancelled";
}

/// <summary>The moves a step may make, each with the reason it exists (the store refuses any other).</summary>
public static class WakeUpStepTransitions
{
    private static readonly Dictionary<(string From, string To), string> Moves = new()
    {
        [(WakeUpStepStates.Due, WakeUpStepStates.Sending)] = "the timer claims the due step; only one claim wins, so a timer firing twice sends it once",
        [(WakeUpStepStates.Due, WakeUpStepStates.Cancelled)] = "the plan ended early (opted out of every channel, left the tier upward): pending steps are cancelled at once",
        [(WakeUpStepStates.Due, WakeUpStepStates.Skipped)] = "the step's local day closed before it could be sent (the timer was down)",
        [(WakeUpStepStates.Sending, WakeUpStepStates.Sent)] = "handed to the delivery pipeline (its trigger is stored)",
        [(WakeUpStepStates.Sending, WakeUpStepStates.Due)] = "back-move: the hand-off surely did not happen (no trigger stored); the next tick claims it again",
        [(WakeUpStepStates.Sending, WakeUpStepStates.Skipped)] = "nothing to send it by (no channel the user consents to and can be reached on)",
        [(WakeUpStepStates.Sent, WakeUpStepStates.Completed)] = "an activity event matching the task arrived within the step's local day: its points are awarded once",
        [(WakeUpStepStates.Sent, WakeUpStepStates.Missed)] = "the step's local day closed without a matching event",
    };

    public static IReadOnlyDictionary<(string From, string To), string> All => Moves;

    public static bool IsAllowed(string from, string to) => Moves.ContainsKey((from, to));
}

/// <summary>What started a plan.</summary>
public enum WakeUpStartCause
{
    /// <summary>The nightly run moved the user into the plan's tier.</summary>
    EnteredTier,

    /// <summary>A new registration (the KPI is the first month's active rate).</summary>
    Registered,
}

/// <summary>The task a step asks for, as the plan recorded it when it started (a later catalogue edit changes no running plan).</summary>
public sealed record WakeUpStepTask(string Kind, Activity.ActivityType Completes, string? Category, int Points, string Template);

/// <summary>One step of a plan: its task, when it is sent and closes, and where it stands.</summary>
/// <param name="SentAt">When it was handed to the pipeline (null before); completion counts from then.</param>
/// <param name="Reason">Why it was skipped or cancelled.</param>
public sealed record WakeUpStep(int Number, WakeUpStepTask Task, WakeUpStepTime Time, string State, DateTimeOffset? SentAt = null, string? Reason = null);
