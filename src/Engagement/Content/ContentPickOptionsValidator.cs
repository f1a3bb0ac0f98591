using Microsoft.Extensions.Options;

namespace Engagement.Content;

/// <summary>Refuses at start-up a pick that cannot work: no decay (half-life 0 or less), no repeat window, negative weights, or no weight at all (nobody would ever have an interest).</summary>
public sealed class ContentPickOptionsValidator : IValidateOptions<ContentPickOptions>
{
    public ValidateOptionsResult Validate(string? name, ContentPickOptions options)
    {
        var errors = Problems(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IEnumerable<string> Problems(ContentPickOptions options)
    {
        const string Section = ContentPickOptions.SectionName;
        if (!(options.HalfLifeDays > 0) || double.IsInfinity(options.HalfLifeDays))
        {
            yield return $"{Section}:HalfLifeDays {options.HalfLifeDays} must be a number of days above 0";
        }

        if (options.RepeatWindowWeeks < 1)
        {
            yield return $"{Section}:RepeatWindowWeeks {options.RepeatWindowWeeks} must be 1 or more";
        }

        var weights = new (string Name, double Value)[]
        {
            ("Purchase", options.Weights.Purchase), ("Interaction", options.Weights.Interaction), ("Login", options.Weights.Login),
        };
        foreach (var (weightName, value) in weights)
        {
            if (!(value >= 0) || double.IsInfinity(value))
            {
                yield return $"{Section}:Weights:{weightName} {value} must be 0 or more";
            }
        }

        if (!weights.Any(w => w.Value > 0))
        {
            yield return $"{Section}:Weights: at least one of Purchase, Interaction, Login must be above 0";
        }
    }
}
