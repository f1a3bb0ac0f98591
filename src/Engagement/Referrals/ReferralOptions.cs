namespace Engagement.Referrals;

/// <summary>
/// The <c>Referral</c> section: when a referrer's invited friends count as active, how many earn the reward, and the
/// reward itself (one coupon and an in-app notice, sent once through the campaign pipeline).
/// </summary>
public sealed class ReferralOptions
{
    public const string SectionName = "Referral";

    /// <summary>The notice's title when <see cref="Title"/> is empty.</summary>
    public const string DefaultTitle = "邀请好友奖励 · Your referral reward";

    /// <summary>The notice when <see cref="Template"/> is empty: Chinese or English by the recipient's <c>language</c>, as the playbooks speak.</summary>
    public const string DefaultTemplate =
        """{% if language == "zh" %}谢谢你把我们介绍给朋友！你邀请的 {{ friends }} 位好友都已经玩起来了，送你一张{{ coupon_value }}元优惠券（{{ coupon_code }}），{{ coupon_expires_at }}前有效。{% else %}Thank you for bringing your friends along! {{ friends }} of the friends you invited are now active, so here is a {{ coupon_value }} {{ coupon_currency }} coupon for you ({{ coupon_code }}), valid until {{ coupon_expires_at }}.{% endif %}""";

    /// <summary>Off: referral events still link friends, but nobody is counted or rewarded.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Active friends a referrer needs for the reward.</summary>
    public int FriendsNeeded { get; set; } = 3;

    /// <summary>Distinct active days (ops calendar; the sign-up day counts) that make an invited friend active...</summary>
    public int FriendActiveDays { get; set; } = 2;

    /// <summary>...within this many days from the referral's day (that day included).</summary>
    public int WithinDays { get; set; } = 30;

    public string CouponItem { get; set; } = "referral-50";

    public decimal CouponValue { get; set; } = 50;

    public string CouponCurrency { get; set; } = "CNY";

    public int CouponValidDays { get; set; } = 30;

    /// <summary>The in-app notice (Liquid; the campaign variables plus <c>friends</c>); empty: <see cref="DefaultTemplate"/>.</summary>
    public string Template { get; set; } = "";

    /// <summary>The notice's title; empty: <see cref="DefaultTitle"/>.</summary>
    public string Title { get; set; } = "";

    public string TemplateInForce => string.IsNullOrWhiteSpace(Template) ? DefaultTemplate : Template;

    public string TitleInForce => string.IsNullOrWhiteSpace(Title) ? DefaultTitle : Title;
}
