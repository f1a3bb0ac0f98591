using Engagement.Playbooks;
using Engagement.Segmentation;
using Microsoft.Extensions.Options;

namespace Engagement.Content;

/// <summary>Refuses a weekly content run that cannot work, at start-up, each problem naming its setting (<c>Content:Weekly:Schedule</c>).</summary>
public sealed class ContentWeeklyOptionsValidator(IOptions<SegmentationOptions> segmentation) : IValidateOptions<ContentWeeklyOptions>
{
    public ValidateOptionsResult Validate(string? name, ContentWeeklyOptions options)
    {
        SegmentationOptions tiers;
        try
        {
            tiers = segmentation.Value;
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip; // that section's own validation names its problem
        }

        var errors = Problems(options, tiers.Rules.Select(r => r.Tier)).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IEnumerable<string> Problems(ContentWeeklyOptions options, IEnumerable<string> tierNames)
    {
        const string Section = ContentWeeklyOptions.SectionName;
        if (PlaybookSchedule.Parse(options.Schedule) is null)
        {
            yield return $"{Section}:Schedule '{options.Schedule}' is not a six-field NCRONTAB expression (sec min hour day month weekday), in UTC";
        }

        if (!tierNames.Contains(options.Tier, StringComparer.Ordinal))
        {
            yield return $"{Section}:Tier '{options.Tier}' is not a tier (Segmentation:Tiers: {string.Join(", ", tierNames)})";
        }

        if (options.HoldoutPercent is < 0 or > 100)
        {
            yield return $"{Section}:HoldoutPercent {options.HoldoutPercent} must be between 0 and 100";
        }

        // a week's run must close before the next week's opens: one item per user per week
        if (options.ExpiresAfterDays is < 1 or > 7)
        {
            yield return $"{Section}:ExpiresAfterDays {options.ExpiresAfterDays} must be 1..7";
        }

        // the holdout's organic interactions are kept per day for RecentInteractions.KeepDays
        if (options.AttributionDays is < 1 or > 28)
        {
            yield return $"{Section}:AttributionDays {options.AttributionDays} must be 1..28";
        }
    }
}
