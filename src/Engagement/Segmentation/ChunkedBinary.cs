using System.Globalization;
using Azure.Data.Tables;

namespace Engagement.Segmentation;

/// <summary>
/// A binary value in table columns: a binary property holds at most 64 KiB, so a larger value is split
/// over <c>Name0</c>, <c>Name1</c>, ... and <c>NameChunks</c> counts them (at least one, empty for an empty value).
/// </summary>
internal static class ChunkedBinary
{
    public const int MaxProperty = 64_000;

    public static void Write(TableEntity e, string name, byte[] bytes)
    {
        var chunks = 0;
        for (var offset = 0; offset < bytes.Length || chunks == 0; offset += MaxProperty, chunks++)
        {
            e[name + chunks.ToString(CultureInfo.InvariantCulture)] = bytes.AsSpan(offset, Math.Min(MaxProperty, bytes.Length - offset)).ToArray();
        }

        e[name + "Chunks"] = chunks;
    }

    public static byte[] Read(TableEntity e, string name)
    {
        var chunks = e.GetInt32(name + "Chunks") ?? 0;
        using var buffer = new MemoryStream();
        for (var i = 0; i < chunks; i++)
        {
            buffer.Write(e.GetBinary(name + i.ToString(CultureInfo.InvariantCulture)));
        }

        return buffer.ToArray();
    }
}
