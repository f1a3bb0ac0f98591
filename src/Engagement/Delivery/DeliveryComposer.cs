using System.Globalization;
using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Users;
using Engagement.Wallet;
using Microsoft.Extensions.Options;

namespace Engagement.Delivery;

/// <summary>
/// Turns a stored user into what the policies judge (<see cref="Recipient"/>) and what a provider
/// receives (<see cref="OutgoingMessage"/>): the user's own zone for times, the template rendered,
/// an SMS finished with signature and opt-out line. Shared by the worker and the preview, so a
/// preview shows exactly what would be sent.
/// </summary>
public sealed class DeliveryComposer(MessageTemplates templates, ActivityCalendar calendar, IOptions<SmsOptions> sms)
{
    /// <summary>The user columns a delivery needs.</summary>
    public static readonly IReadOnlyList<string> UserColumns =
        ["RowKey", UserEntity.Tier, UserEntity.Phone, UserEntity.PushToken, UserEntity.TimeZone, UserEntity.ConsentSms, UserEntity.ConsentPush, UserEntity.ConsentInApp, UserEntity.Interests,
         UserEntity.PhoneSuppressed, UserEntity.SuppressedPhone, UserEntity.SmsOptedOutAt, UserEntity.SmsOptedInAt];

    /// <param name="user">A user row; its <c>Touches</c> value comes from the shard's touch-log table (see <see cref="TouchLogs"/>).</param>
    public Recipient RecipientOf(TableEntity user) => new(
        user.RowKey,
        user.GetString(UserEntity.Tier),
        user.GetString(UserEntity.Phone),
        user.GetString(UserEntity.PushToken),
        ZoneOf(user),
        user.GetBoolean(UserEntity.ConsentSms) ?? false,
        user.GetBoolean(UserEntity.ConsentPush) ?? false,
        user.GetBoolean(UserEntity.ConsentInApp) ?? true,
        TouchLog.Parse(user.GetString(UserEntity.Touches)),
        IsSuppressed(user),
        user.GetDateTimeOffset(UserEntity.SmsOptedOutAt) is { } optedOut && !(user.GetDateTimeOffset(UserEntity.SmsOptedInAt) > optedOut));

    /// <summary>Suppressed while the profile keeps the number that was suppressed (rows from before the number was recorded: always).</summary>
    private static bool IsSuppressed(TableEntity user) =>
        user.GetBoolean(UserEntity.PhoneSuppressed) == true
        && (user.GetString(UserEntity.SuppressedPhone) is not { Length: > 0 } suppressed || suppressed == user.GetString(UserEntity.Phone));

    /// <summary>
    /// Chinese for a number in mainland China, Hong Kong, Macau or Taiwan, else for a user (or, without a zone of their
    /// own, an ops team) in one of their zones; English otherwise. The profile has no language of its own.
    /// </summary>
    public static string LanguageOf(string? phone, TimeZoneInfo zone)
    {
        if (phone is { Length: > 0 })
        {
            return ChinesePrefixes.Any(p => phone.StartsWith(p, StringComparison.Ordinal)) ? Languages.Chinese : Languages.English;
        }

        return ChineseZones.Contains(zone.Id) ? Languages.Chinese : Languages.English;
    }

    private static readonly string[] ChinesePrefixes = ["+86", "+852", "+853", "+886"];

    private static readonly HashSet<string> ChineseZones = new(StringComparer.Ordinal)
    {
        "Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "China Standard Time", "Taipei Standard Time",
    };

    public TimeZoneInfo ZoneOf(TableEntity user) =>
        calendar.ZoneOr(user.GetString(UserEntity.TimeZone));

    /// <param name="coupons">The coupons the campaign issued to this user (templates show the first by item); none: empty values.</param>
    public OutgoingMessage Compose(DeliveryOrder order, string channel, string deliveryId, int occurrence, TableEntity user, IReadOnlyList<Coupon>? coupons = null)
    {
        var spec = order.Channels.Single(c => c.Channel == channel);
        var zone = ZoneOf(user);
        var values = new TemplateValues(
            user.RowKey,
            user.GetString(UserEntity.Tier) ?? "",
            (user.GetString(UserEntity.Interests) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "",
            0,
            order.Name,
            order.ExpiresAt is { } e ? TimeZoneInfo.ConvertTime(e, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "",
            LanguageOf(user.GetString(UserEntity.Phone), zone))
            .WithCoupons(coupons, zone);
        var body = templates.Render(spec.Template, values, order.Variables);
        var to = channel switch
        {
            Channels.Sms => user.GetString(UserEntity.Phone)!,
            Channels.Push => user.GetString(UserEntity.PushToken)!,
            _ => user.RowKey,
        };
        var segments = 0;
        if (channel == Channels.Sms)
        {
            var composed = SmsText.Compose(body, to, sms.Value);
            body = composed.Text;
            segments = composed.Segments;
        }

        return new OutgoingMessage(deliveryId, user.RowKey, order.CampaignId, occurrence, to, spec.Title, body, segments, order.ExpiresAt);
    }
}
