using System.Text.RegularExpressions;
using Engagement.Activity;
using Engagement.Storage;
using Microsoft.Extensions.Options;

namespace Engagement.Points;

/// <summary>Refuses bad points settings at start-up, each problem naming its setting (<c>Points:LevelThresholds:3</c>).</summary>
public sealed partial class PointsOptionsValidator : IValidateOptions<PointsOptions>
{
    public ValidateOptionsResult Validate(string? name, PointsOptions options)
    {
        var errors = new List<string>();
        foreach (var (type, points) in options.Earn)
        {
            if (!Enum.TryParse<ActivityType>(type, ignoreCase: true, out _) || int.TryParse(type, out _))
            {
                errors.Add($"Points:Earn:{type} is not an activity type ({string.Join(", ", Enum.GetNames<ActivityType>())})");
            }
            else if (points < 0)
            {
                errors.Add($"Points:Earn:{type} must be 0 (earns nothing) or more, not {points}");
            }
        }

        if (options.ExpiresAfterMonths is < 1 or > PointsOptions.MaxExpiresAfterMonths)
        {
            errors.Add($"Points:ExpiresAfterMonths must be 1..{PointsOptions.MaxExpiresAfterMonths}, not {options.ExpiresAfterMonths}");
        }

        if (options.CachedAccounts < 0)
        {
            errors.Add($"Points:CachedAccounts must be 0 (no cache) or more, not {options.CachedAccounts}");
        }

        if (options.LevelThresholds.Count != PointsOptions.MaxLevel - 1)
        {
            errors.Add($"Points:LevelThresholds must hold {PointsOptions.MaxLevel - 1} values (levels 2..{PointsOptions.MaxLevel}), not {options.LevelThresholds.Count}");
        }

        for (var i = 0; i < options.LevelThresholds.Count; i++)
        {
            var previous = i == 0 ? 0 : options.LevelThresholds[i - 1];
            if (options.LevelThresholds[i] <= previous)
            {
                errors.Add($"Points:LevelThresholds:{i} ({options.LevelThresholds[i]}) must be more than {(i == 0 ? "0" : $"Points:LevelThresholds:{i - 1} ({previous})")}: thresholds ascend");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Catalogue.Count; i++)
        {
            var item = options.Catalogue[i];
            var at = $"Points:Catalogue:{i}";
            if (!TableKeys.IsValid(item.Item, out var why) || item.Item.IndexOfAny(['|', ' ']) >= 0)
            {
                errors.Add($"{at}:Item '{item.Item}' cannot be a coupon item: it {(why.Length > 0 ? why : "contains '|' or a space")}");
            }
            else if (!seen.Add(item.Item))
            {
                errors.Add($"{at}:Item '{item.Item}' is in the catalogue twice");
            }

            if (item.Cost <= 0)
            {
                errors.Add($"{at}:Cost must be more than 0, not {item.Cost}");
            }

            if (item.Value <= 0)
            {
                errors.Add($"{at}:Value must be more than 0, not {item.Value}");
            }

            if (!CurrencyPattern().IsMatch(item.Currency))
            {
                errors.Add($"{at}:Currency '{item.Currency}' is not a three-letter currency code (e.g. CNY)");
            }

            if (item.ValidDays < 1)
            {
                errors.Add($"{at}:ValidDays must be 1 or more, not {item.ValidDays}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
