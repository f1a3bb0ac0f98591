using Engagement.Storage;
using Engagement.Activity;
using Engagement.Delivery;
using Engagement.Segmentation;
using Microsoft.Extensions.Options;

namespace Engagement.WakeUp;

/// <summary>
/// Refuses a wake-up plan that cannot run, at start-up, each problem naming its setting
/// (<c>WakeUp:Tasks:3:Points</c>): fewer than seven usable tasks, a task completed by no known
/// event type, points of zero or less, duplicate task ids, a send time inside quiet hours (every
/// step would be deferred to the next morning, onto the next step's day), an unknown tier.
/// </summary>
public sealed class WakeUpOptionsValidator(IOptions<DeliveryOptions> delivery, IOptions<SegmentationOptions> segmentation) : IValidateOptions<WakeUpOptions>
{
    public ValidateOptionsResult Validate(string? name, WakeUpOptions options)
    {
        DeliveryOptions quiet;
        SegmentationOptions tiers;
        try
        {
            quiet = delivery.Value;
            tiers = segmentation.Value;
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip; // that section's own validation names its problem
        }

        var errors = Problems(options, quiet.QuietHoursStart, quiet.QuietHoursEnd, tiers.Rules.Select(t => t.Tier)).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The problems of <paramref name="options"/>, given the quiet hours and the tier names in force.</summary>
    public static IEnumerable<string> Problems(WakeUpOptions options, TimeOnly quietStart, TimeOnly quietEnd, IEnumerable<string> tierNames)
    {
        const string Section = WakeUpOptions.SectionName;
        if (options.HoldoutPercent is < 0 or > 100)
        {
            yield return $"{Section}:HoldoutPercent {options.HoldoutPercent} must be between 0 and 100";
        }

        if (options.FirstMonthDays is < 1 or > 365)
        {
            yield return $"{Section}:FirstMonthDays {options.FirstMonthDays} must be 1..365";
        }

        if (options.FirstMonthActiveDays < 1 || options.FirstMonthActiveDays > options.FirstMonthDays)
        {
            yield return $"{Section}:FirstMonthActiveDays {options.FirstMonthActiveDays} must be 1..FirstMonthDays ({options.FirstMonthDays})";
        }

        if (options.CooldownDays < 0)
        {
            yield return $"{Section}:CooldownDays {options.CooldownDays} must be 0 or more";
        }

        if (!tierNames.Contains(options.Tier, StringComparer.OrdinalIgnoreCase))
        {
            yield return $"{Section}:Tier '{options.Tier}' is not a tier (Segmentation:Tiers: {string.Join(", ", tierNames)})";
        }

        if (DeliveryPolicies.IsQuiet(options.LocalTime, quietStart, quietEnd))
        {
            yield return $"{Section}:LocalTime {options.LocalTime:HH\\:mm} is inside quiet hours {quietStart:HH\\:mm}-{quietEnd:HH\\:mm} (Delivery:QuietHoursStart/End): every step would wait for the next morning";
        }

        if (!IsKeyPart(options.CatalogueVersion))
        {
            yield return $"{Section}:CatalogueVersion '{options.CatalogueVersion}' must be non-empty, without / \\ # ? | or control characters";
        }

        var usable = 0;
        var kinds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var catalogue = options.Catalogue;
        for (var i = 0; i < catalogue.Count; i++)
        {
            var task = catalogue[i];
            var at = $"{Section}:Tasks:{i}";
            var before = usable;
            var ok = true;
            if (!IsKeyPart(task.Kind) || task.Kind.Any(char.IsWhiteSpace))
            {
                yield return $"{at}:Kind '{task.Kind}' must be a non-empty id without spaces, / \\ # ? | or control characters";
                ok = false;
            }
            else if (!kinds.Add(task.Kind))
            {
                yield return $"{at}:Kind '{task.Kind}' is used by an earlier task";
                ok = false;
            }

            if (!Enum.TryParse<ActivityType>(task.Completes, ignoreCase: true, out var type) || !Enum.IsDefined(type) || int.TryParse(task.Completes, out _))
            {
                yield return $"{at}:Completes '{task.Completes}' is not an activity event type ({string.Join(", ", Enum.GetNames<ActivityType>().Select(n => n.ToLowerInvariant()))})";
                ok = false;
            }

            if (task.Points <= 0)
            {
                yield return $"{at}:Points {task.Points} must be more than 0";
                ok = false;
            }

            if (string.IsNullOrWhiteSpace(task.Template))
            {
                yield return $"{at}:Template is empty";
                ok = false;
            }

            usable = ok && task.Enabled ? before + 1 : before;
        }

        if (usable < WakeUpOptions.Steps)
        {
            yield return $"{Section}:Tasks has {usable} usable task(s) (enabled, with a known event type and points > 0); a plan needs {WakeUpOptions.Steps}, one a day";
        }
    }

    /// <summary>A value that goes into a table key of the plans table: a valid key (<see cref="TableKeys"/>) without the '|' that separates its parts.</summary>
    private static bool IsKeyPart(string? value) => TableKeys.IsValid(value, out _) && !value!.Contains('|', StringComparison.Ordinal);
}
