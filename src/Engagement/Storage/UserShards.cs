using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Options;

namespace Engagement.Storage;

/// <summary>
/// Maps a user id to its hash shard (the users table's partition key). A stable hash (xxHash32
/// over UTF-8), never string.GetHashCode, which changes between processes.
/// </summary>
public sealed class UserShards
{
    private readonly string _format;

    public UserShards(IOptions<StorageOptions> options)
        : this(options.Value.UserShards)
    {
    }

    public UserShards(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        _format = "D" + Math.Max(2, (count - 1).ToString(CultureInfo.InvariantCulture).Length).ToString(CultureInfo.InvariantCulture);
        All = Enumerable.Range(0, count).Select(Name).ToArray();
    }

    public int Count { get; }

    /// <summary>Every shard's partition key, in order.</summary>
    public IReadOnlyList<string> All { get; }

    public string Of(string userId)
    {
        var bytes = Encoding.UTF8.GetBytes(userId);
        var hash = XxHash32.HashToUInt32(bytes);
        return Name((int)(hash % (uint)Count));
    }

    public string Name(int index) => "s" + index.ToString(_format, CultureInfo.InvariantCulture);
}
