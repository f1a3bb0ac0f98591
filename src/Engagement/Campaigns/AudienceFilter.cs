using Azure.Data.Tables;
using Engagement.Storage;
using Engagement.Users;

namespace Engagement.Campaigns;

/// <summary>
/// Who a campaign is for, applied to one shard's users read in order: users in one of the tiers or
/// listed by id, then narrowed by interests and growth levels when given. <see cref="AudienceReader"/> feeds it each
/// shard (a shard's rows, or only its listed users' rows) for planning and for the preview, so a preview sees the
/// audience the plan will.
/// </summary>
public sealed class AudienceFilter(CampaignAudience audience, UserShards shards)
{
    public static readonly IReadOnlyList<string> Columns = ["RowKey", UserEntity.Tier, UserEntity.Interests, UserEntity.Level];

    private readonly HashSet<string> _tiers = audience.Tiers.ToHashSet(StringComparer.Ordinal);
    private readonly HashSet<string> _interests = audience.Interests.ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// One shard's audience from its users (at least <see cref="Columns"/>), in the order read: the members with
    /// their holdout decision, then the ids listed for this shard that no user row had.
    /// </summary>
    public async Task<AudienceShard> SelectAsync(string shard, IAsyncEnumerable<TableEntity> users, string holdoutKey, int holdoutPercent, CancellationToken cancellationToken)
    {
        var listedHere = audience.UserIds.Where(u => shards.Of(u) == shard).ToHashSet(StringComparer.Ordinal);
        var members = new List<AudienceMember>();
        await foreach (var user in users.WithCancellation(cancellationToken))
        {
            if (Matches(user, listedHere))
            {
                members.Add(new AudienceMember(user, CampaignPlanner.IsHeldOut(holdoutKey, user.RowKey, holdoutPercent)));
            }
        }

        return new AudienceShard(shard, members, [.. listedHere]);
    }

    /// <remarks>Removes a found user from <paramref name="listedHere"/>, matched or not, so what is left there is unknown.</remarks>
    private bool Matches(TableEntity user, HashSet<string> listedHere)
    {
        var listed = listedHere.Remove(user.RowKey);
        if (!listed && !(user.GetString(UserEntity.Tier) is { } tier && _tiers.Contains(tier)))
        {
            return false;
        }

        return (_interests.Count == 0
            || (user.GetString(UserEntity.Interests) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Any(_interests.Contains))
            && (audience.Levels is not { } levels || levels.Contains(LevelOf(user)));
    }

    /// <summary>The user's growth level; a user the points ledger has not levelled up (no column) is level 1.</summary>
    private static int LevelOf(TableEntity user) => user.TryGetValue(UserEntity.Level, out var value)
        ? value switch { int i => i, long l => (int)l, _ => LevelRange.Lowest }
        : LevelRange.Lowest;
}
