using System.Globalization;
using Azure.Data.Tables;

namespace Engagement.Wallet;

/// <summary>
/// The <c>wallet</c> table's keys and columns (only <see cref="WalletStore"/> uses them). PartitionKey the user's shard;
/// two rows per coupon, inserted in one transaction:
/// the issue row <c>i|{issueKey}|{userId} {item}</c> (its key makes issuing idempotent; a delivery chunk's coupons are one
/// range; counts per issue key are a range per shard) and the code row <c>c|{userId}|{code}</c> (a redeem's point read,
/// the authoritative state; a redeem mirrors its state onto the issue row afterwards).
/// The space before the item is the lowest character a key may hold, so a user id that is a prefix of another still sorts
/// before it and a chunk's range <c>[from, to]</c> keeps its order.
/// </summary>
internal static class WalletRows
{
    private const string Code = "Code";
    private const string UserId = "UserId";
    private const string IssueKey = "IssueKey";
    private const string Item = "Item";
    private const string Value = "Value";
    private const string Currency = "Currency";
    private const string ValidFrom = "ValidFrom";
    private const string ValidUntil = "ValidUntil";
    public const string State = "State";
    private const string IssuedAt = "IssuedAt";
    private const string RedeemedAt = "RedeemedAt";

    public static string IssuePrefix(string issueKey) => $"i|{issueKey}|";

    /// <summary>The exclusive end of every issue row of <paramref name="issueKey"/> ('}' follows '|').</summary>
    public static string IssueEnd(string issueKey) => $"i|{issueKey}}}";

    public static string IssueRowKey(string issueKey, string userId, string item) => $"{IssuePrefix(issueKey)}{userId} {item}";

    /// <summary>The exclusive end of the issue rows of users up to <paramref name="toUserId"/> ('!' follows the space).</summary>
    public static string IssueRangeEnd(string issueKey, string toUserId) => $"{IssuePrefix(issueKey)}{toUserId}!";

    public static string CodeRowKey(string userId, string code) => $"c|{userId}|{code}";

    public static string CodePrefix(string userId) => $"c|{userId}|";

    public static string CodeEnd(string userId) => $"c|{userId}}}";

    public static TableEntity ToEntity(string shard, string rowKey, Coupon c) => new(shard, rowKey)
    {
        [Code] = c.Code,
        [UserId] = c.UserId,
        [IssueKey] = c.IssueKey,
        [Item] = c.Item,
        // decimal has no table type: an invariant string keeps it exact
        [Value] = c.Value.ToString(CultureInfo.InvariantCulture),
        [Currency] = c.Currency,
        [ValidFrom] = c.ValidFrom,
        [ValidUntil] = c.ValidUntil,
        [State] = c.State,
        [IssuedAt] = c.IssuedAt,
        [RedeemedAt] = c.RedeemedAt,
    };

    /// <summary>The columns a state move changes (a Merge update of these only).</summary>
    public static TableEntity StateChange(string shard, string rowKey, string state, DateTimeOffset? redeemedAt)
    {
        var e = new TableEntity(shard, rowKey) { [State] = state };
        if (redeemedAt is { } at)
        {
            e[RedeemedAt] = at;
        }

        return e;
    }

    public static Coupon FromEntity(TableEntity e) => new(
        e.GetString(Code),
        e.GetString(UserId),
        e.GetString(IssueKey),
        e.GetString(Item),
        decimal.Parse(e.GetString(Value), NumberStyles.Number, CultureInfo.InvariantCulture),
        e.GetString(Currency),
        e.GetDateTimeOffset(ValidFrom) ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset(ValidUntil) ?? DateTimeOffset.MinValue,
        e.GetString(State),
        e.GetDateTimeOffset(IssuedAt) ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset(RedeemedAt));

    public static bool IsIssueRow(TableEntity e) => e.RowKey.StartsWith("i|", StringComparison.Ordinal);
}
