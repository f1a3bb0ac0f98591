using Azure.Data.Tables;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.Campaigns;

/// <summary>
/// Who a campaign is for, applied to one shard's users read in order: users in one of the tiers or
/// listed by id, then narrowed by interests when given. Used by planning and by the preview, so a
/// preview sees the audience the plan will.
/// </summary>
public sealed class AudienceFilter(CampaignAudience audience, UserShards shards)
{
    public static readonly IReadOnlyList<string> Columns = ["RowKey", UserEntity.Tier, UserEntity.Interests];

    private readonly HashSet<string> _tiers = audience.Tiers.ToHashSet(StringComparer.Ordinal);
    private readonly HashSet<string> _interests = audience.Interests.ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The explicitly listed ids that live in this shard; <see cref="Matches"/> removes those it finds, so what is left is unknown.</summary>
    public HashSet<string> ListedIn(string shard) =>
        audience.UserIds.Where(u => shards.Of(u) == shard).ToHashSet(StringComparer.Ordinal);

    public bool Matches(TableEntity user, HashSet<string> listedHere)
    {
        var listed = listedHere.Remove(user.RowKey);
        if (!listed && !(user.GetString(UserEntity.Tier) is { } tier && _tiers.Contains(tier)))
        {
            return false;
        }

        return _interests.Count == 0
            || (user.GetString(UserEntity.Interests) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Any(_interests.Contains);
    }
}
