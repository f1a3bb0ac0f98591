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
    public const string MemberDay = "memberday";

    /// <summary>10:00 on the 1st in Asia/Shanghai (UTC+8, no daylight saving) is 02:00 UTC.</summary>
    public const string MonthlyOnTheFirst = "0 0 2 1 * *";

    /// <summary>10:00 on the 18th in Asia/Shanghai (member day).</summary>
    public const string MonthlyOnThe18th = "0 0 2 18 * *";

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

        // every tier: member day is a benefit of the level a member has earned, not of recent activity, so dormant
        // members get theirs too (in-app, waiting in the inbox; win-back remains the dormant tier's reactivation
        // push). No holdout, as for the high-value pack: a promised benefit withheld from the same members every month
        [MemberDay] = new PlaybookDefinition
        {
            Tiers = ["high-value", "potential", "regular", "dormant"],
            Schedule = MonthlyOnThe18th,
            Period = PlaybookPeriod.Month,
            Channels =
            [
                new PlaybookChannel
                {
                    Channel = Channels.InApp,
                    Title = "会员日 · Member day",
                    Template = """{% if language == "zh" %}会员日快乐！{{ band }}会员专享：{{ coupon_value }}元优惠券（{{ coupon_code }}）已放入你的卡包，{{ coupon_expires_at }}前有效。{% else %}Happy member day! For {{ band_en }} members: a {{ coupon_value }} {{ coupon_currency }} coupon ({{ coupon_code }}) is in your wallet, valid until {{ coupon_expires_at }}.{% endif %}""",
                },
            ],
            HoldoutPercent = 0,
            AttributionDays = 14,
            ExpiresAfterDays = 3,
            Bands =
            [
                Band("l1-3", 1, 3, 10),
                Band("l4-6", 4, 6, 30),
                Band("l7-8", 7, 8, 80),
            ],
        },
    };

    private static PlaybookBand Band(string name, int min, int max, decimal value) => new()
    {
        Name = name,
        MinLevel = min,
        MaxLevel = max,
        Coupons = [new PlaybookCoupon { Item = "memberday-" + name, Value = value, Currency = "CNY", ValidDays = 3 }],
        Variables = new(StringComparer.Ordinal) { ["band"] = $"{min}-{max}级", ["band_en"] = $"level {min}-{max}" },
    };
}
