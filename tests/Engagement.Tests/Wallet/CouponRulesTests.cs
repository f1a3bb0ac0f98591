using Engagement.Wallet;

namespace Engagement.Tests.Wallet;

public sealed class CouponRulesTests
{
    private static readonly DateTimeOffset From = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = From.AddDays(30);

    private static Coupon Coupon(string state = CouponStates.Issued) =>
        new(CouponCodes.New(), "u1", "run-1", "coupon-10", 10m, "CNY", From, Until, state, From.AddDays(-1), state == CouponStates.Redeemed ? From.AddDays(2) : null);

    [Fact]
    public void AnIssuedCoupon_InsideItsWindow_MayBeRedeemed() =>
        Assert.Equal(RedeemRefusal.None, CouponRules.Decide(Coupon(), From.AddDays(1)));

    [Fact]
    public void BeforeValidFrom_IsNotYetValid() =>
        Assert.Equal(RedeemRefusal.NotYetValid, CouponRules.Decide(Coupon(), From.AddTicks(-1)));

    [Fact]
    public void AtValidUntil_IsExpired()
    {
        Assert.Equal(RedeemRefusal.None, CouponRules.Decide(Coupon(), Until.AddTicks(-1)));
        Assert.Equal(RedeemRefusal.Expired, CouponRules.Decide(Coupon(), Until));
    }

    [Theory]
    [InlineData(CouponStates.Redeemed, RedeemRefusal.AlreadyRedeemed)]
    [InlineData(CouponStates.Expired, RedeemRefusal.Expired)]
    public void FinalStates_AreRefused_EvenInsideTheWindow(string state, RedeemRefusal expected) =>
        Assert.Equal(expected, CouponRules.Decide(Coupon(state), From.AddDays(1)));

    [Fact]
    public void ARedeemedCoupon_PastItsEnd_StaysRedeemed()
    {
        Assert.Equal(RedeemRefusal.AlreadyRedeemed, CouponRules.Decide(Coupon(CouponStates.Redeemed), Until.AddDays(1)));
        Assert.Equal(CouponStates.Redeemed, Coupon(CouponStates.Redeemed).StateAt(Until.AddDays(1)));
    }

    [Fact]
    public void AnIssuedCoupon_ReadsExpired_PastItsEnd()
    {
        Assert.Equal(CouponStates.Issued, Coupon().StateAt(Until.AddTicks(-1)));
        Assert.Equal(CouponStates.Expired, Coupon().StateAt(Until));
    }

    [Theory]
    [InlineData(CouponStates.Issued, CouponStates.Redeemed, true)]
    [InlineData(CouponStates.Issued, CouponStates.Expired, true)]
    [InlineData(CouponStates.Redeemed, CouponStates.Issued, false)]
    [InlineData(CouponStates.Redeemed, CouponStates.Expired, false)]
    [InlineData(CouponStates.Expired, CouponStates.Redeemed, false)]
    [InlineData(CouponStates.Expired, CouponStates.Issued, false)]
    public void OnlyIssued_MovesOn(string from, string to, bool allowed) => Assert.Equal(allowed, CouponRules.CanMove(from, to));

    [Fact]
    public void TheExpiry_IsShownInTheGivenZone()
    {
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        Assert.Equal("2026-12-31 08:00", Coupon().ValidUntilIn(shanghai));
        Assert.Equal("10", Coupon().DisplayValue);
        Assert.Equal("9.5", (Coupon() with { Value = 9.50m }).DisplayValue);
    }
}
