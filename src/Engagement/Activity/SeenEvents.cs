using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Engagement.Activity;

/// <summary>
/// The events applied to one user's aggregate: per event, the xxHash64 of its id, a 32-bit
/// fingerprint of its body and its day. This is what makes a repeated id change nothing whatever
/// its body, and tells a re-delivery (same body) from a conflict (another body).
/// Bounded so it fits one binary property (64 KiB): ids are kept while their event's day is inside
/// the aggregate's retention span, and at most <see cref="MaxEntries"/> of them; past that the
/// oldest days are forgotten first.
/// </summary>
public sealed class SeenEvents
{
    // days back from the last active day (u16), id hash (u64), fingerprint (u32)
    private const int EntryBytes = 14;

    public const int MaxEntries = 64 * 1024 / EntryBytes;

    private readonly Dictionary<ulong, Entry> _entries = [];

    public readonly record struct Entry(int Day, uint Fingerprint);

    public int Count => _entries.Count;

    public bool TryGet(ulong idHash, out Entry entry) => _entries.TryGetValue(idHash, out entry);

    public void Add(ulong idHash, int day, uint fingerprint)
    {
        if (_entries.Count >= MaxEntries)
        {
            // an eighth at a time, so a user at the cap does not pay a sort per event
            Forget(_entries.OrderBy(p => p.Value.Day).ThenBy(p => p.Key).Take(MaxEntries / 8).Select(p => p.Key).ToList());
        }

        _entries[idHash] = new Entry(day, fingerprint);
    }

    /// <summary>Forgets the ids of events on or before <paramref name="day"/>.</summary>
    public void ForgetThrough(int day) => Forget(_entries.Where(p => p.Value.Day <= day).Select(p => p.Key).ToList());

    /// <summary>
    /// The body as parsed, so a re-send that only spells it differently (another offset for the same
    /// instant, "12.30" for "12.3", a category's case) is the same body. The user is not part of it:
    /// ids are per user.
    /// </summary>
    public static uint Fingerprint(ActivityEvent e)
    {
        var hash = new XxHash32();
        Span<byte> fixedPart = stackalloc byte[17];
        fixedPart[0] = (byte)e.Type;
        BinaryPrimitives.WriteInt64LittleEndian(fixedPart[1..], e.AmountMinor);
        BinaryPrimitives.WriteInt64LittleEndian(fixedPart[9..], e.OccurredAt.UtcTicks);
        hash.Append(fixedPart);
        if (e.Category is { } category)
        {
            hash.Append(Encoding.UTF8.GetBytes(category));
        }

        // a referral's body is also whom it names: another referrer under the same id is a conflict, not a repeat.
        // Only referrals carry one, so every other event keeps the fingerprint it was stored with
        if (e.Referrer is { } referrer)
        {
            hash.Append("|r:"u8);
            hash.Append(Encoding.UTF8.GetBytes(referrer));
        }

        // a content event's body is also its item and delivery (and open vs click, both Interaction); other events
        // carry none, so they keep their stored fingerprints
        if (e.Content is { } content)
        {
            hash.Append(content.Action == ContentAction.Open ? "|o:"u8 : "|c:"u8);
            hash.Append(Encoding.UTF8.GetBytes(content.ContentId + "|" + content.DeliveryId));
        }

        return hash.GetCurrentHashAsUInt32();
    }

    /// <summary>Entries newest day first; days are stored relative to <paramref name="lastActiveDay"/>, which every kept day is within <see cref="ActivityAggregate.RetentionDays"/> of.</summary>
    public byte[] ToBytes(int lastActiveDay)
    {
        var bytes = new byte[_entries.Count * EntryBytes];
        var offset = 0;
        foreach (var (hash, entry) in _entries.OrderByDescending(p => p.Value.Day).ThenBy(p => p.Key))
        {
            var span = bytes.AsSpan(offset);
            BinaryPrimitives.WriteUInt16LittleEndian(span, checked((ushort)(lastActiveDay - entry.Day)));
            BinaryPrimitives.WriteUInt64LittleEndian(span[2..], hash);
            BinaryPrimitives.WriteUInt32LittleEndian(span[10..], entry.Fingerprint);
            offset += EntryBytes;
        }

        return bytes;
    }

    public static SeenEvents FromBytes(ReadOnlySpan<byte> bytes, int lastActiveDay)
    {
        var seen = new SeenEvents();
        for (var offset = 0; offset + EntryBytes <= bytes.Length; offset += EntryBytes)
        {
            var span = bytes[offset..];
            seen._entries[BinaryPrimitives.ReadUInt64LittleEndian(span[2..])] =
                new Entry(lastActiveDay - BinaryPrimitives.ReadUInt16LittleEndian(span), BinaryPrimitives.ReadUInt32LittleEndian(span[10..]));
        }

        return seen;
    }

    private void Forget(List<ulong> keys) => keys.ForEach(k => _entries.Remove(k));
}
