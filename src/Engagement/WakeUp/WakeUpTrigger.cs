using System.Globalization;
using System.Text.Json;

namespace Engagement.WakeUp;

/// <summary>
/// One batch of claimed steps as a campaign trigger (docs/contracts.md): the users who get step k with the same task and
/// the same end of local day, by push, or in-app when push cannot reach them (a <c>fallback</c> channel). The text is
/// a function of the stored steps only, so a batch found half handed-off after a crash is handed off again with the
/// same text, which the campaigns table answers as a duplicate.
/// </summary>
public static class WakeUpTrigger
{
    /// <summary>Users per batch: the trigger's id list stays far below the queue's and the table's 64 KiB.</summary>
    public const int MaxUsers = 1000;

    /// <summary>The campaign id of a new batch: step, claim minute and a random part (two instances claiming at once get two batches).</summary>
    public static string NewBatchId(int step, DateTimeOffset claimedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"wakeup-{claimedAt.UtcDateTime:yyyyMMddHHmm}-s{step}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}");

    /// <param name="steps">The batch's steps: one step number, one task, one closing instant.</param>
    /// <param name="push">Whether a push provider is configured (otherwise in-app only).</param>
    public static string Build(string batchId, IReadOnlyList<WakeUpStepRow> steps, string title, bool push)
    {
        var first = steps[0].Step;

        // frequencyCap false: a daily step of a plan the user is in, not marketing on top of it
        return Campaigns.ListedUsersTrigger.Build(batchId, $"wake-up step {first.Number}: {first.Task.Kind}", steps.Select(s => s.UserId), title, first.Task.Template, push,
            first.Time.ClosesAt, frequencyCap: false, Variables(first.Number, first.Task.Points, first.Task.Kind));
    }

    /// <summary>The template variables of step <paramref name="step"/>'s message (<see cref="WakeUpOptions.Title"/>, the task's template).</summary>
    public static IReadOnlyList<(string Name, string Value)> Variables(int step, int points, string kind) =>
        [("task_points", points.ToString(CultureInfo.InvariantCulture)), ("task_kind", kind), ("step", step.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The steps that go in one batch: same step number, task and closing instant.</summary>
    public static string GroupOf(WakeUpStep step) =>
        string.Create(CultureInfo.InvariantCulture, $"{step.Number}|{step.Time.ClosesAt.UtcTicks}|{JsonSerializer.Serialize(step.Task)}");
}
