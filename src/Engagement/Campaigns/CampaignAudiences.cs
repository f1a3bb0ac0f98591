using Engagement.Storage;

namespace Engagement.Campaigns;

/// <summary>The <c>audience</c> of a campaign trigger, checked the way the rest of the trigger is: every problem named by its field.</summary>
internal static class CampaignAudiences
{
    public static CampaignAudience? Validate(AudienceDto? dto, IReadOnlyList<string> knownTiers, int maxUserIds, List<string> errors)
    {
        if (dto is null)
        {
            errors.Add("audience is required (tiers and/or userIds)");
            return null;
        }

        Unknown(dto.Unknown, "audience.", errors);
        var tiers = Distinct(dto.Tiers, "audience.tiers", errors);
        foreach (var tier in tiers.Where(t => !knownTiers.Contains(t)))
        {
            errors.Add($"audience.tiers: unknown tier '{tier}' (known: {string.Join(", ", knownTiers)})");
        }

        var users = Distinct(dto.UserIds, "audience.userIds", errors);
        if (users.Count > maxUserIds)
        {
            errors.Add($"audience.userIds lists {users.Count:N0} users; at most {maxUserIds:N0}");
        }

        foreach (var user in users)
        {
            if (!TableKeys.IsValid(user, out var why))
            {
                errors.Add($"audience.userIds: '{user}' {why}");
                break;
            }
        }

        if (tiers.Count == 0 && users.Count == 0)
        {
            errors.Add("audience needs tiers or userIds");
        }

        return new CampaignAudience(tiers, users, Distinct(dto.Interests, "audience.interests", errors)) { Levels = Levels(dto.Levels, errors) };
    }

    private static LevelRange? Levels(LevelsDto? dto, List<string> errors)
    {
        if (dto is null)
        {
            return null;
        }

        var before = errors.Count;
        Unknown(dto.Unknown, "audience.levels.", errors);
        foreach (var (field, value) in new[] { ("min", dto.Min), ("max", dto.Max) })
        {
            if (value is null)
            {
                errors.Add($"audience.levels.{field} is required ({LevelRange.Lowest}-{LevelRange.Highest})");
            }
            else if (value is < LevelRange.Lowest or > LevelRange.Highest)
            {
                errors.Add($"audience.levels.{field} {value} is not a level ({LevelRange.Lowest}-{LevelRange.Highest})");
            }
        }

        if (errors.Count == before && dto.Min > dto.Max)
        {
            errors.Add($"audience.levels: min {dto.Min} is above max {dto.Max}");
        }

        return errors.Count == before ? new LevelRange(dto.Min!.Value, dto.Max!.Value) : null;
    }

    private static List<string> Distinct(List<string?>? values, string field, List<string> errors)
    {
        if (values is null)
        {
            return [];
        }

        if (values.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{field} holds an empty value");
        }

        return [.. values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.Ordinal)];
    }

    private static void Unknown(Dictionary<string, System.Text.Json.JsonElement>? unknown, string prefix, List<string> errors) =>
        errors.AddRange((unknown?.Keys ?? Enumerable.Empty<string>()).Select(name => $"unknown property '{prefix}{name}'"));
}
