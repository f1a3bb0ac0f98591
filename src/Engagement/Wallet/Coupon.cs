using System.Globalization;

namespace Engagement.Wallet;

/// <summary>What a playbook gives one user: an item (e.g. <c>coupon-10</c>) worth <paramref name="Value"/> units of <paramref name="Currency"/>.</summary>
public sealed record CouponGrant(string Item, decimal Value, string Currency, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil);

/// <summary>A coupon in a user's wallet. <see cref="Code"/> is normalised (no dashes); <see cref="DisplayCode"/> is what people see.</summary>
public sealed record Coupon(string Code, string UserId, string IssueKey, string Item, decimal Value, string Currency,
    DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, string State, DateTimeOffset IssuedAt, DateTimeOffset? RedeemedAt)
{
    public string DisplayCode => CouponCodes.Format(Code);

    /// <summary>The value as templates show it, e.g. <c>10</c> or <c>9.5</c> (invariant, no trailing zeros).</summary>
    public string DisplayValue => Value.ToString("0.############", CultureInfo.InvariantCulture);

    /// <summary>The expiry in a zone (the user's for messages, the ops zone for operators): <c>yyyy-MM-dd HH:mm</c>.</summary>
    public string ValidUntilIn(TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(ValidUntil, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The state a reader should see at <paramref name="now"/>: an issued coupon past its end is expired even before a redeem attempt moved it.</summary>
    public string StateAt(DateTimeOffset now) => State == CouponStates.Issued && now >= ValidUntil ? CouponStates.Expired : State;
}

/// <summary>A coupon's states: <c>issued</c> → <c>redeemed</c> | <c>expired</c>; both ends are final.</summary>
public static class CouponStates
{
    public const string Issued = "issued", Redeemed = "redeemed", Expired = "expired";
}

public enum RedeemRefusal { None, Mistyped, NotInWallet, AlreadyRedeemed, Expired, NotYetValid }

public sealed record RedeemResult(RedeemRefusal Refusal, string Message, Coupon? Coupon)
{
    public bool Redeemed => Refusal == RedeemRefusal.None;
}

/// <summary>The pure part of a redeem: what an attempt at <c>now</c> does to a coupon (unit-tested; the store applies it conditionally).</summary>
public static class CouponRules
{
    /// <summary>The refusal for redeeming <paramref name="coupon"/> at <paramref name="now"/>, or None when it may be redeemed.</summary>
    public static RedeemRefusal Decide(Coupon coupon, DateTimeOffset now) => coupon.State switch
    {
        CouponStates.Redeemed => RedeemRefusal.AlreadyRedeemed,
        CouponStates.Expired => RedeemRefusal.Expired,
        _ when now >= coupon.ValidUntil => RedeemRefusal.Expired,
        _ when now < coupon.ValidFrom => RedeemRefusal.NotYetValid,
        _ => RedeemRefusal.None,
    };

    /// <summary>True for the allowed moves: issued → redeemed and issued → expired.</summary>
    public static bool CanMove(string from, string to) =>
        from == CouponStates.Issued && to is CouponStates.Redeemed or CouponStates.Expired;

    public static string Explain(RedeemRefusal refusal, Coupon? coupon) => refusal switch
    {
        RedeemRefusal.None => $"redeemed {coupon?.DisplayCode}",
        RedeemRefusal.Mistyped => "not a valid code (mistyped? check the letters and digits)",
        RedeemRefusal.NotInWallet => "this code is not in the user's wallet",
        RedeemRefusal.AlreadyRedeemed => $"already redeemed at {coupon?.RedeemedAt?.ToString("u", CultureInfo.InvariantCulture)}",
        RedeemRefusal.Expired => $"expired at {coupon?.ValidUntil.ToString("u", CultureInfo.InvariantCulture)}",
        RedeemRefusal.NotYetValid => $"not valid before {coupon?.ValidFrom.ToString("u", CultureInfo.InvariantCulture)}",
        _ => refusal.ToString(),
    };
}
