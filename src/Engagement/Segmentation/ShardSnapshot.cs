using System.Text;
using Engagement.Users;

namespace Engagement.Segmentation;

/// <summary>One user as the stats phase saw them: what the assign phase needs to score, tier and diff.</summary>
/// <param name="ETag">The row's ETag when the stats phase read it: the standing write is conditional on it, so a cached copy at that ETag can follow the write.</param>
public sealed record SnapshotUser(string UserId, RfmValues Values, DateOnly? RegisteredOn, RfmStanding? Standing, string? ETag = null);

/// <summary>
/// The compact per-shard list the stats phase writes next to its histograms, so the assign phase
/// reads a few rows instead of the whole shard a second time (half the nightly reads). It also
/// means the assign phase scores exactly the values the cut-offs were computed from, even while
/// ingest keeps writing. About 20 bytes plus the user id per user.
/// </summary>
public static class ShardSnapshot
{
    private const byte FormatVersion = 1;
    private const byte HasHistory = 1;
    private const byte HasStanding = 2;
    private const byte HasRegistration = 4;
    private const byte HasETag = 8; // absent in snapshots written before it: their standings are written unconditionally

    public static byte[] Write(IEnumerable<SnapshotUser> users)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            foreach (var u in users)
            {
                w.Write(u.UserId);
                w.Write((byte)((u.Values.HasHistory ? HasHistory : 0) | (u.Standing is null ? 0 : HasStanding) | (u.RegisteredOn is null ? 0 : HasRegistration) | (u.ETag is null ? 0 : HasETag)));
                if (u.Values.HasHistory)
                {
                    w.Write7BitEncodedInt64(u.Values.RecencyDays);
                    w.Write7BitEncodedInt64(u.Values.Frequency);
                    w.Write7BitEncodedInt64(u.Values.MonetaryMinor);
                }

                if (u.RegisteredOn is { } on)
                {
                    w.Write7BitEncodedInt(on.DayNumber);
                }

                if (u.Standing is { } s)
                {
                    w.Write((byte)s.Scores.R);
                    w.Write((byte)s.Scores.F);
                    w.Write((byte)s.Scores.M);
                    w.Write(s.Tier);
                }

                if (u.ETag is { } etag)
                {
                    w.Write(etag);
                }
            }
        }

        return buffer.ToArray();
    }

    public static IEnumerable<SnapshotUser> Read(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var version = r.ReadByte();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"shard snapshot format {version} is not supported (expected {FormatVersion})");
        }

        while (r.BaseStream.Position < r.BaseStream.Length)
        {
            var id = r.ReadString();
            var flags = r.ReadByte();
            var values = (flags & HasHistory) != 0
                ? new RfmValues(true, r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64())
                : RfmValues.NoHistory;
            DateOnly? registered = (flags & HasRegistration) != 0 ? DateOnly.FromDayNumber(r.Read7BitEncodedInt()) : null;
            RfmStanding? standing = null;
            if ((flags & HasStanding) != 0)
            {
                var scores = new RfmScores(r.ReadByte(), r.ReadByte(), r.ReadByte());
                standing = new RfmStanding(scores, r.ReadString(), null);
            }

            var etag = (flags & HasETag) != 0 ? r.ReadString() : null;
            yield return new SnapshotUser(id, values, registered, standing, etag);
        }
    }
}
