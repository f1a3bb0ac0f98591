using Engagement.Delivery;

namespace Engagement.Playbooks;

/// <summary>
/// The playbooks of docs/domain ("What each tier receives") with their default settings. Templates
/// speak Chinese or English by the recipient's <c>language</c>; the SMS signature 【Brand】 and the
/// opt-out line (回T退订 for +86) are added by the delivery pipeline, never by a template.
/// </summary>
public static class PlaybookDefaults
{
    public const string Winback = "winback";
    public const string HighValue = "highvalue";

    /// <summary>10:00 on the 1st in Asia/Shanghai (UTC+8, no daylight saving) is 02:00 UTC.</summary>
    public const string MonthlyOnTheFirst = "0 0 2 1 * *";

    public static Dictionary<string, PlaybookDefinition> Create() => new(StringComparer.OrdinalIgnoreCase)
    {
        [Winback] = new PlaybookDefinition
        {
            Tiers = ["dormant"],
            Schedule = MonthlyOnTheFirst,
            Period = PlaybookPeriod.Month,
            Channels =
            [
                new PlaybookChannel
                {
                    Channel = Channels.InApp,
                    Title = "好久不见 · We miss you",
                    Template = """{% if language == "zh" %}好久不见，我们一直在。送你一张{{ coupon_value }}元优惠券（{{ coupon_code }}），{{ coupon_expires_at }}前有效，回来看看吧。{% else %}It has been a while, and we kept your seat warm. Here is a {{ coupon_value }} {{ coupon_currency }} coupon ({{ coupon_code }}), valid until {{ coupon_expires_at }}. Come and have a look.{% endif %}""",
                },
                new PlaybookChannel
                {
                    Channel = Channels.Sms,
                    Template = """{% if language == "zh" %}好久不见！送你{{ coupon_value }}元券 {{ coupon_code }}，{{ coupon_expires_at }}前有效。{% else %}We miss you! A {{ coupon_value }} {{ coupon_currency }} coupon for you: {{ coupon_code }}, valid until {{ coupon_expires_at }}.{% endif %}""",
                },
            ],
            Coupons = [new PlaybookCoupon { Item = "winback-7d", Value = 20, Currency = "CNY", ValidDays = 7 }],
            HoldoutPercent = 10,
            AttributionDays = 14,
            ExpiresAfterDays = 3,
        },

        // no holdout by default: the pack is a promise of the tier, and a holdout drawn per (user,
        // playbook) would deny the same best customers every month; set one to measure the lift
        [HighValue] = new PlaybookDefinition
        {
            Tiers = ["high-value"],
            Schedule = MonthlyOnTheFirst,
            Period = PlaybookPeriod.Month,
            Channels =
            [
                new PlaybookChannel
                {
                    Channel = Channels.InApp,
                    Title = "本月会员礼包 · Your monthly benefits",
                    Template = """{% if language == "zh" %}感谢一路相伴！本月礼包已放入你的卡包：{{ coupon_count }}张优惠券，{{ coupon_expires_at }}前有效。{% else %}Thank you for being with us! This month's benefits pack is in your wallet: {{ coupon_count }} coupons, valid until {{ coupon_expires_at }}.{% endif %}""",
                },
            ],
            Coupons =
            [
                new PlaybookCoupon { Item = "hv-free-shipping", Value = 10, Currency = "CNY", ValidDays = 30 },
                new PlaybookCoupon { Item = "hv-discount", Value = 30, Currency = "CNY", ValidDays = 30 },
                new PlaybookCoupon { Item = "hv-gift", Value = 50, Currency = "CNY", ValidDays = 30 },
            ],
            HoldoutPercent = 0,
            AttributionDays = 30,
            ExpiresAfterDays = 3,
        },
    };
}
