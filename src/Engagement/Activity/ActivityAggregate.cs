using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using System.Text;

namespace Engagement.Activity;

/// <summary>What applying one event did.</summary>
public enum ApplyOutcome
{
    /// <summary>A new event: the aggregate changed (its id is remembered, at least).</summary>
    Applied,

    /// <summary>A new event too old for the retention span that changed nothing.</summary>
    Unchanged,

    /// <summary>An id applied before with the same body: nothing changed.</summary>
    Repeat,

    /// <summary>An id applied before with another body: not applied, nothing changed (the first applied wins).</summary>
    Conflict,
}

/// <summary>
/// What the nightly job needs to know about one user's activity, small enough to live in the
/// user's own entity so the nightly job reads each user once:
/// <list type="bullet">
/// <item>a bitset of active days over the last <see cref="RetentionDays"/> days, anchored at the last active day;</item>
/// <item>a purchase ledger (day, event-id hash, amount) over the same span — exact spend sums, and the
/// record that makes a replayed purchase count once;</item>
/// <item>the interaction categories seen (interests, for content picking);</item>
/// <item>the ids of the events applied, with a fingerprint of each body (<see cref="SeenEvents"/>), so an
/// id counts once per user whatever the body of its repeats.</item>
/// </list>
/// Events older than the retention span before the last active day cannot affect any window and
/// are ignored (only <see cref="FirstActiveDay"/> remembers them).
/// </summary>
public sealed class ActivityAggregate
{
    /// <summary>Days of history kept; every look-back window must fit inside it.</summary>
    public const int RetentionDays = 400;

    /// <summary>Purchases kept per user over the retention span (64 KiB binary property / 20 bytes).</summary>
    public const int MaxPurchases = 3_200;

    public const int MaxCategories = 32;

    private const int Words = (RetentionDays + 63) / 64;
    private const int PurchaseBytes = 20;

    // bit i of the set <=> active on day (LastActiveDay - i)
    private readonly ulong[] _days = new ulong[Words];
    private readonly List<Purchase> _purchases = [];
    private readonly SortedSet<string> _categories = new(StringComparer.Ordinal);
    private SeenEvents _seen = new();

    public int? LastActiveDay { get; private set; }

    public int? FirstActiveDay { get; private set; }

    public bool HasHistory => LastActiveDay.HasValue;

    public IReadOnlyList<Purchase> Purchases => _purchases;

    public IReadOnlyCollection<string> Categories => _categories;

    /// <summary>Event ids remembered (those inside the retention span, at most <see cref="SeenEvents.MaxEntries"/>).</summary>
    public int SeenCount => _seen.Count;

    public readonly record struct Purchase(int Day, ulong IdHash, long AmountMinor);

    /// <summary>
    /// Applies one event on its local day, unless its id was applied before. A referral is the invitee's own
    /// activity (they signed up): an active day, no purchase, no category.
    /// </summary>
    public ApplyOutcome Apply(ActivityEvent e, int day)
    {
        var idHash = HashId(e.EventId);
        var fingerprint = SeenEvents.Fingerprint(e);
        if (_seen.TryGet(idHash, out var seen))
        {
            return seen.Fingerprint == fingerprint ? ApplyOutcome.Repeat : ApplyOutcome.Conflict;
        }

        if (_purchases.FindIndex(p => p.IdHash == idHash) is var at && at >= 0)
        {
            // a purchase whose id is not remembered (stored before ids were, or forgotten at the cap):
            // its day and amount are what the ledger knows of its body
            var p = _purchases[at];
            return e.Type == ActivityType.Purchase && p.Day == day && p.AmountMinor == e.AmountMinor ? ApplyOutcome.Repeat : ApplyOutcome.Conflict;
        }

        var changed = MarkActive(day);
        if (e.Type == ActivityType.Purchase)
        {
            changed |= AddPurchase(day, idHash, e.AmountMinor);
        }

        if (e.Category is { } category && _categories.Count < MaxCategories)
        {
            changed |= _categories.Add(category);
        }

        if (day > LastActiveDay!.Value - RetentionDays)
        {
            _seen.Add(idHash, day, fingerprint);
            changed = true;
        }

        return changed ? ApplyOutcome.Applied : ApplyOutcome.Unchanged;
    }

    /// <summary>Active days in the window of <paramref name="windowDays"/> days ending on <paramref name="asOfDay"/>.</summary>
    public int ActiveDaysIn(int asOfDay, int windowDays)
    {
        if (LastActiveDay is not { } last)
        {
            return 0;
        }

        // window days d in [asOf - window + 1, asOf] -> bits i = last - d
        var lo = Math.Max(0, last - asOfDay);
        var hi = Math.Min(RetentionDays - 1, last - (asOfDay - windowDays + 1));
        return lo > hi ? 0 : CountBits(lo, hi);
    }

    /// <summary>Spend (minor units) in the window of <paramref name="windowDays"/> days ending on <paramref name="asOfDay"/>.</summary>
    public long SpendIn(int asOfDay, int windowDays)
    {
        var from = asOfDay - windowDays + 1;
        long sum = 0;
        foreach (var p in _purchases)
        {
            if (p.Day >= from && p.Day <= asOfDay)
            {
                sum += p.AmountMinor;
            }
        }

        return sum;
    }

    public bool IsActiveOn(int day) =>
        LastActiveDay is { } last && last - day is var i && i >= 0 && i < RetentionDays && (_days[i >> 6] & (1UL << (i & 63))) != 0;

    private bool MarkActive(int day)
    {
        if (LastActiveDay is not { } last)
        {
            LastActiveDay = FirstActiveDay = day;
            _days[0] = 1;
            return true;
        }

        var changed = false;
        if (day < FirstActiveDay)
        {
            FirstActiveDay = day;
            changed = true;
        }

        if (day > last)
        {
            ShiftOlder(day - last);
            LastActiveDay = day;
            _days[0] |= 1;
            _purchases.RemoveAll(p => p.Day <= day - RetentionDays);
            _seen.ForgetThrough(day - RetentionDays);
            return true;
        }

        var i = last - day;
        if (i >= RetentionDays)
        {
            return changed;
        }

        ref var word = ref _days[i >> 6];
        var bit = 1UL << (i & 63);
        if ((word & bit) != 0)
        {
            return changed;
        }

        word |= bit;
        return true;
    }

    private bool AddPurchase(int day, ulong idHash, long amountMinor)
    {
        if (day <= LastActiveDay!.Value - RetentionDays)
        {
            return false; // too old to fall in any window
        }

        if (_purchases.Count >= MaxPurchases)
        {
            throw new InvalidOperationException($"the purchase ledger holds {MaxPurchases} purchases in {RetentionDays} days already");
        }

        var at = _purchases.FindLastIndex(p => p.Day <= day) + 1;
        _purchases.Insert(at, new Purchase(day, idHash, amountMinor));
        return true;
    }

    private void ShiftOlder(int by)
    {
        if (by >= RetentionDays)
        {
            Array.Clear(_days);
            return;
        }

        var wordShift = by >> 6;
        var bitShift = by & 63;
        for (var w = Words - 1; w >= 0; w--)
        {
            var src = w - wordShift;
            ulong value = 0;
            if (src >= 0)
            {
                value = _days[src] << bitShift;
                if (bitShift != 0 && src - 1 >= 0)
                {
                    value |= _days[src - 1] >> (64 - bitShift);
                }
            }

            _days[w] = value;
        }

        // drop bits past the retention span
        var extra = Words * 64 - RetentionDays;
        _days[Words - 1] &= ulong.MaxValue >> extra;
    }

    private int CountBits(int lo, int hi)
    {
        var count = 0;
        for (var w = lo >> 6; w <= hi >> 6; w++)
        {
            var word = _days[w];
            var start = w == lo >> 6 ? lo & 63 : 0;
            var end = w == hi >> 6 ? hi & 63 : 63;
            var mask = (end == 63 ? ulong.MaxValue : (1UL << (end + 1)) - 1) & ~((1UL << start) - 1);
            count += BitOperations.PopCount(word & mask);
        }

        return count;
    }

    public static ulong HashId(string eventId) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(eventId));

    // ---- persistence: the entity holds four binary/string properties ----

    public byte[] DaysBytes()
    {
        var bytes = new byte[Words * 8];
        for (var w = 0; w < Words; w++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(w * 8), _days[w]);
        }

        return bytes;
    }

    public byte[] PurchaseBytesArray()
    {
        var bytes = new byte[_purchases.Count * PurchaseBytes];
        for (var i = 0; i < _purchases.Count; i++)
        {
            var span = bytes.AsSpan(i * PurchaseBytes);
            BinaryPrimitives.WriteInt32LittleEndian(span, _purchases[i].Day);
            BinaryPrimitives.WriteUInt64LittleEndian(span[4..], _purchases[i].IdHash);
            BinaryPrimitives.WriteInt64LittleEndian(span[12..], _purchases[i].AmountMinor);
        }

        return bytes;
    }

    public string CategoriesText() => string.Join(',', _categories);

    public byte[] SeenBytes() => LastActiveDay is { } last ? _seen.ToBytes(last) : [];

    /// <summary>Readers that only score (nightly, outcomes) leave <paramref name="seen"/> out: it matters only to a writer.</summary>
    public static ActivityAggregate Restore(int? lastActiveDay, int? firstActiveDay, ReadOnlySpan<byte> days, ReadOnlySpan<byte> purchases, string? categories, ReadOnlySpan<byte> seen = default)
    {
        var a = new ActivityAggregate { LastActiveDay = lastActiveDay, FirstActiveDay = firstActiveDay ?? lastActiveDay };
        if (lastActiveDay is null)
        {
            return a;
        }

        for (var w = 0; w < Words && (w + 1) * 8 <= days.Length; w++)
        {
            a._days[w] = BinaryPrimitives.ReadUInt64LittleEndian(days[(w * 8)..]);
        }

        for (var offset = 0; offset + PurchaseBytes <= purchases.Length; offset += PurchaseBytes)
        {
            var span = purchases[offset..];
            a._purchases.Add(new Purchase(
                BinaryPrimitives.ReadInt32LittleEndian(span),
                BinaryPrimitives.ReadUInt64LittleEndian(span[4..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[12..])));
        }

        a._seen = SeenEvents.FromBytes(seen, lastActiveDay.Value);
        if (!string.IsNullOrEmpty(categories))
        {
            foreach (var c in categories.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                a._categories.Add(c);
            }
        }

        return a;
    }
}
