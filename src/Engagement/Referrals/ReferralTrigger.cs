using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace Engagement.Referrals;

/// <summary>
/// A referrer's reward as a campaign trigger (docs/contracts.md, <c>campaign-triggers</c>): written field by field in
/// a fixed order from nothing but the referrer and the settings, with no <c>sendAt</c>, so every enqueue of the same
/// reward (a replay, a crash's retry, two friends completing it at once) is the same text and a Duplicate at the
/// campaigns table; the planner issues its coupon once per (campaign, user, item).
/// </summary>
public static class ReferralTrigger
{
    public const string CampaignPrefix = "referral-";

    /// <summary>
    /// <c>referral-</c> + the xxHash64 of the referrer id (16 hex digits): user ids may hold characters a campaign id may
    /// not, or be too long. Two referrers sharing a hash would meet as a changed campaign (refused, on the errors
    /// table), not as one reward: about one pair in 2^64 / n^2.
    /// </summary>
    public static string CampaignId(string referrer) =>
        CampaignPrefix + XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(referrer)).ToString("x16", CultureInfo.InvariantCulture);

    public static string Build(string referrer, ReferralOptions options)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteString("campaignId", CampaignId(referrer));
            json.WriteString("name", "referral reward");
            json.WriteStartObject("audience");
            json.WriteStartArray("userIds");
            json.WriteStringValue(referrer);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("channels");
            json.WriteStartObject();
            json.WriteString("channel", Delivery.Channels.InApp);
            json.WriteString("title", options.TitleInForce);
            json.WriteString("template", options.TemplateInForce);
            json.WriteEndObject();
            json.WriteEndArray();
            Campaigns.CouponOffer.WriteArray(json, [new Campaigns.CouponOffer(options.CouponItem, options.CouponValue, options.CouponCurrency, options.CouponValidDays)]);
            json.WriteStartObject("variables");
            json.WriteString("friends", options.FriendsNeeded.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
