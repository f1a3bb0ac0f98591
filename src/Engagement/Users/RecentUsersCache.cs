using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

using Engagement.Activity;

namespace Engagement.Users;

/// <summary>
/// The activity columns and ETag of users this process wrote recently, so a user seen again
/// costs no point read. Correctness never rests on it: the write is conditional on the cached
/// ETag, and a 412 (someone else wrote the user: another instance, the nightly job, an import)
/// re-reads from storage.
/// Entries are checked out (<see cref="TryTake"/>) and put back after the write, so two
/// concurrent messages in one process never both start from the same cached copy.
/// Eviction is oldest-written first; capacity bounds memory (~0.5 KB per typical user plus
/// 14 bytes per event id remembered: a few KB for an active user, at most ~130 KB).
/// </summary>
public sealed class RecentUsersCache(IOptions<ActivityOptions> options)
{
    private readonly int _capacity = options.Value.CachedUsers;
    private readonly ConcurrentDictionary<(string Shard, string User), Entry> _entries = new();
    private readonly ConcurrentQueue<((string Shard, string User) Key, Entry Entry)> _order = new();

    public int Count => _entries.Count;

    /// <summary>Removes and returns the user's cached columns (with their ETag), if any.</summary>
    public bool TryTake(string shard, string user, out TableEntity entity)
    {
        if (_capacity > 0 && _entries.TryRemove((shard, user), out var entry))
        {
            entity = entry.Entity;
            return true;
        }

        entity = null!;
        return false;
    }

    /// <summary>Caches a user's stored columns; the entity must carry the ETag storage returned.</summary>
    public void Put(TableEntity entity)
    {
        if (_capacity == 0 || entity.ETag == default)
        {
            return;
        }

        var key = (entity.PartitionKey, entity.RowKey);
        var entry = new Entry(entity);
        _entries[key] = entry;
        _order.Enqueue((key, entry));
        // each live entry has exactly one queue item (older ones for the same key are stale), so
        // trimming the queue to capacity bounds the entries too
        while (_order.Count > _capacity && _order.TryDequeue(out var oldest))
        {
            _entries.TryRemove(new KeyValuePair<(string, string), Entry>(oldest.Key, oldest.Entry));
        }
    }

    /// <summary>
    /// Another writer of other columns (the nightly job's standings) moved the row from <paramref name="before"/> to
    /// <paramref name="after"/> with a write conditional on <paramref name="before"/>: a cached copy at
    /// <paramref name="before"/> still has the row's activity columns, so it takes the new ETag instead of
    /// going stale. A copy at another ETag, or checked out, is left alone (its next write re-reads on 412).
    /// </summary>
    public bool Moved(string shard, string user, Azure.ETag before, Azure.ETag after)
    {
        if (_capacity == 0 || !_entries.TryGetValue((shard, user), out var entry) || entry.Entity.ETag != before)
        {
            return false;
        }

        entry.Entity.ETag = after;
        return true;
    }

    /// <summary>Reference identity tells a key's current entry from a stale queue item.</summary>
    private sealed class Entry(TableEntity entity)
    {
        public TableEntity Entity { get; } = entity;
    }
}
