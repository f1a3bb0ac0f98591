using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Referrals;

/// <summary>
/// The <c>referrals</c> table and the only code that knows its columns (<see cref="ReferralRows"/>). Every write is
/// idempotent by its key: a link and a reward are inserts whose 409 returns the row that is there (the first wins), a
/// friend row is inserted once and only ever marked active.
/// </summary>
public sealed class ReferralStore(StorageClients storage)
{
    /// <summary>Links <paramref name="link"/>'s invitee to its referrer unless linked already: the link that holds (this one or the first).</summary>
    public Task<ReferralLink> LinkAsync(ReferralLink link, CancellationToken cancellationToken) =>
        FirstAsync(ReferralRows.ToEntity(link), link, ReferralRows.LinkFrom, cancellationToken);

    public Task<ReferralLink?> LinkOfAsync(string invitee, CancellationToken cancellationToken) =>
        ReadAsync(invitee, ReferralRows.LinkKey, ReferralRows.LinkFrom, cancellationToken);

    /// <summary>Adds the invitee to the referrer's friends, not active yet; a friend listed already keeps its row.</summary>
    public async Task AddFriendAsync(string referrer, string invitee, DateTimeOffset referredAt, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        try
        {
            await table.AddEntityAsync(ReferralRows.NewFriend(referrer, invitee, referredAt), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // listed already (a replay): its state stays as it is
        }
    }

    /// <summary>Marks a friend active on <paramref name="activeOn"/> (a merge; the same day again on a replay).</summary>
    public async Task MarkActiveAsync(string referrer, string invitee, DateOnly activeOn, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        await table.UpsertEntityAsync(ReferralRows.ActiveFriend(referrer, invitee, activeOn), TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>How many of the referrer's friends are active (keys only, one partition).</summary>
    public async Task<int> ActiveFriendsAsync(string referrer, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(ReferralRows.FriendsFilter(referrer, activeOnly: true), select: ReferralRows.CountColumns, cancellationToken: cancellationToken))
        {
            count++;
        }

        return count;
    }

    public async Task<IReadOnlyList<ReferralFriend>> FriendsAsync(string referrer, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var friends = new List<ReferralFriend>();
        await foreach (var e in table.QueryAsync<TableEntity>(ReferralRows.FriendsFilter(referrer, activeOnly: false), cancellationToken: cancellationToken))
        {
            friends.Add(ReferralRows.FriendFrom(e));
        }

        return friends;
    }

    /// <summary>Records the referrer's reward unless recorded already: the reward that holds (this one or the first).</summary>
    public Task<ReferralReward> RecordRewardAsync(ReferralReward reward, CancellationToken cancellationToken) =>
        FirstAsync(ReferralRows.ToEntity(reward), reward, ReferralRows.RewardFrom, cancellationToken);

    public Task<ReferralReward?> RewardOfAsync(string referrer, CancellationToken cancellationToken) =>
        ReadAsync(referrer, ReferralRows.RewardKey, ReferralRows.RewardFrom, cancellationToken);

    /// <summary>Notes that the reward's trigger is on the queue, so later friends enqueue nothing.</summary>
    public async Task MarkRewardEnqueuedAsync(string referrer, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        await table.UpdateEntityAsync(ReferralRows.EnqueuedReward(referrer), ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Counts over the whole table, for reports: invitees linked, friends invited and active, referrers with a friend, rewards.</summary>
    public async Task<ReferralSummary> SummaryAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        long linked = 0, invited = 0, active = 0;
        var referrers = new HashSet<string>(StringComparer.Ordinal);
        var rewards = new List<ReferralReward>();
        await foreach (var e in table.QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (e.RowKey == ReferralRows.LinkKey)
            {
                linked++;
            }
            else if (e.RowKey == ReferralRows.RewardKey)
            {
                rewards.Add(ReferralRows.RewardFrom(e));
            }
            else if (e.RowKey.StartsWith(ReferralRows.FriendKey(""), StringComparison.Ordinal))
            {
                invited++;
                referrers.Add(e.PartitionKey);
                active += ReferralRows.FriendFrom(e).ActiveOn is null ? 0 : 1;
            }
        }

        return new ReferralSummary(referrers.Count, linked, invited, active, rewards);
    }

    /// <summary>Inserts <paramref name="row"/> unless its key is taken: <paramref name="value"/>, or the row that was there first.</summary>
    private async Task<T> FirstAsync<T>(TableEntity row, T value, Func<TableEntity, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var table = await TableAsync(cancellationToken);
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
            return value;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await ReadAsync(row.PartitionKey, row.RowKey, read, cancellationToken)
                ?? throw new InvalidOperationException($"referrals row {row.PartitionKey}/{row.RowKey} answered 409 but cannot be read", ex);
        }
    }

    private async Task<T?> ReadAsync<T>(string partitionKey, string rowKey, Func<TableEntity, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var table = await TableAsync(cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } e ? read(e) : null;
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.TableAsync(TableNames.Referrals, cancellationToken);
}
