using System.Collections.Concurrent;
using Azure;

namespace Engagement.Points;

/// <summary>
/// Each user's points account as this process last read or wrote it, with the row's ETag, so a move starts without a
/// read (the ingest earns once per user per chunk). It is never trusted: the move's transaction replaces the account
/// If-Match that ETag, so a copy gone stale (another instance, or a concurrent move here, wrote the user) fails the
/// transaction whole (412) and the move forgets the user, reads and decides again.
/// Bounded by <see cref="PointsOptions.CachedAccounts"/>: past it an arbitrary half is dropped (no order to keep; a
/// dropped user costs one read). An entry is about 250 bytes plus about 40 per open batch (one per earned day).
/// </summary>
public sealed class PointsAccountCache(int capacity)
{
    private readonly ConcurrentDictionary<string, (PointsAccount Account, ETag ETag)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _trimming = new();

    public int Count => _entries.Count;

    public bool TryGet(string userId, out (PointsAccount Account, ETag ETag) entry) => _entries.TryGetValue(userId, out entry);

    public void Put(string userId, PointsAccount account, ETag etag)
    {
        if (capacity <= 0)
        {
            return;
        }

        _entries[userId] = (account, etag);
        if (_entries.Count > capacity)
        {
            Trim();
        }
    }

    public void Forget(string userId) => _entries.TryRemove(userId, out _);

    private void Trim()
    {
        if (!_trimming.TryEnter())
        {
            return; // another put is trimming: the bound holds again when it is done
        }

        try
        {
            var drop = _entries.Count - capacity / 2;
            foreach (var (userId, _) in _entries)
            {
                if (drop-- <= 0)
                {
                    break;
                }

                _entries.TryRemove(userId, out _);
            }
        }
        finally
        {
            _trimming.Exit();
        }
    }
}
