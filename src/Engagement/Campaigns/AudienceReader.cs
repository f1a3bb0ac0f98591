using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Campaigns;

/// <summary>A user in a campaign's audience: the row as read (the columns asked for) and whether the holdout keeps them out.</summary>
public sealed record AudienceMember(TableEntity User, bool HeldOut);

/// <summary>
/// One shard's audience: <see cref="Members"/> in user id order (the order the shard's query returns), and
/// <see cref="UnknownUserIds"/>, the ids the trigger lists in this shard that are not users.
/// </summary>
public sealed record AudienceShard(string Shard, IReadOnlyList<AudienceMember> Members, IReadOnlyList<string> UnknownUserIds);

/// <summary>
/// The one enumeration of a trigger's audience, used by <see cref="CampaignPlanner"/> and <see cref="CampaignPreview"/>
/// so the preview shows the audience and holdout the plan records. With tiers: one range query per shard (pages of
/// 1000). With listed users only: by key range per shard (<see cref="KeyedRowsReader"/>), and only the shards that hold
/// one, so a trigger for a few users costs a few reads whatever the population. A shard is yielded only when read whole, so
/// the planner writes its ledger rows and chunks shard by shard.
/// </summary>
public sealed class AudienceReader(StorageClients storage, UserShards shards)
{
    /// <param name="columns">The user columns the caller needs; <see cref="AudienceFilter.Columns"/> are always read too.</param>
    public async IAsyncEnumerable<AudienceShard> ReadAsync(CampaignTrigger trigger, IEnumerable<string> columns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var users = await storage.TableAsync(TableNames.Users, cancellationToken);
        var filter = new AudienceFilter(trigger.Audience, shards);
        string[] select = [.. columns.Union(AudienceFilter.Columns)];
        if (trigger.Audience.Tiers.Count == 0)
        {
            var listed = trigger.Audience.UserIds.ToLookup(shards.Of, StringComparer.Ordinal);
            foreach (var shard in shards.All.Where(listed.Contains))
            {
                // in user id order, as a shard's query gives them (the planner's chunks rely on it)
                var rows = await KeyedRowsReader.ReadAsync(users, shard, listed[shard], select, cancellationToken);
                yield return await filter.SelectAsync(shard, rows.ToAsyncEnumerable(), trigger.HoldoutKey, trigger.HoldoutPercent, cancellationToken);
            }

            yield break;
        }

        foreach (var shard in shards.All)
        {
            var rows = users.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {shard}"), maxPerPage: 1000, select: select, cancellationToken: cancellationToken);
            yield return await filter.SelectAsync(shard, rows, trigger.HoldoutKey, trigger.HoldoutPercent, cancellationToken);
        }
    }
}
