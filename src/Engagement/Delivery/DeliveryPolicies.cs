using System.Globalization;
using PhoneNumbers;

namespace Engagement.Delivery;

/// <summary>A marketing message a user received (any campaign), as kept in the user's touch log.</summary>
public readonly record struct Touch(DateTimeOffset At, string Channel);

/// <summary>What the policies need to know about a recipient at send time.</summary>
public sealed record Recipient(
    string UserId,
    string? Tier,
    string? Phone,
    string? PushToken,
    TimeZoneInfo TimeZone,
    bool ConsentSms,
    bool ConsentPush,
    bool ConsentInApp,
    IReadOnlyList<Touch> Touches,
    bool PhoneSuppressed = false,
    bool SmsOptedOut = false);

public enum VerdictKind
{
    Send,
    Skip,
    Defer,
}

/// <summary>Send now, skip for a reason, or wait until a time (quiet hours).</summary>
public sealed record PolicyVerdict(VerdictKind Kind, string? Reason = null, DateTimeOffset? Until = null)
{
    public static readonly PolicyVerdict Send = new(VerdictKind.Send);

    public static PolicyVerdict Skip(string reason) => new(VerdictKind.Skip, reason);

    public static PolicyVerdict Defer(DateTimeOffset until) => new(VerdictKind.Defer, "quiet-hours", until);
}

/// <summary>
/// The send-time policies, in this fixed order (the first that says no decides, and its reason is recorded):
/// 1 expiry, 2 consent for the channel, 3 a usable address (valid phone, push token), 4 quiet hours in
/// the user's own zone (SMS and push; deferred to the end of the quiet period, not dropped), 5 the global
/// frequency cap across channels, 6 the dormant-user SMS cap per calendar month (the user's own calendar).
/// Holdout is decided earlier, when the campaign is planned. Pure: the clock is passed in.
/// </summary>
public sealed class DeliveryPolicies(DeliveryOptions options)
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <param name="capped">False for an order outside the per-user cap (<see cref="DeliveryOrder.FrequencyCap"/>).</param>
    public PolicyVerdict Evaluate(string channel, Recipient r, DateTimeOffset? expiresAt, DateTimeOffset now, bool capped = true)
    {
        if (expiresAt is { } e && now >= e)
        {
            return PolicyVerdict.Skip("expired");
        }

        if (Unreachable(channel, r) is { } reason)
        {
            return PolicyVerdict.Skip(reason);
        }

        // in-app waits in the inbox until opened, so it is never "at night"
        if (channel != Channels.InApp && QuietUntil(now, r.TimeZone) is { } until)
        {
            return PolicyVerdict.Defer(until);
        }

        return capped && CapReason(channel, r, now) is { } cap ? PolicyVerdict.Skip(cap) : PolicyVerdict.Send;
    }

    /// <summary>
    /// Policies 2 and 3 alone, what the user's row says whatever the time: consent (an SMS opt-out included) and a
    /// usable address. The reason the channel cannot reach the user, or null. A fallback channel is planned by it.
    /// </summary>
    public static string? Unreachable(string channel, Recipient r)
    {
        var consent = channel switch
        {
            Channels.Sms => r.ConsentSms,
            Channels.Push => r.ConsentPush,
            _ => r.ConsentInApp,
        };
        if (!consent)
        {
            return "no-consent";
        }

        // a STOP the user has not taken back: an imported consent flag does not override it
        if (channel == Channels.Sms && r.SmsOptedOut)
        {
            return "opted-out";
        }

        if (channel == Channels.Sms && !IsValidPhone(r.Phone))
        {
            return r.Phone is null ? "no-phone" : "invalid-phone";
        }

        if (channel == Channels.Sms && r.PhoneSuppressed)
        {
            return "phone-suppressed";
        }

        return channel == Channels.Push && string.IsNullOrWhiteSpace(r.PushToken) ? "no-push-token" : null;
    }

    /// <summary>Policies 5 and 6 alone: checked again against the stored touch log when the touch is recorded.</summary>
    public string? CapReason(string channel, Recipient r, DateTimeOffset now)
    {
        if (r.Touches.Count(t => t.At > now.AddDays(-options.CapWindowDays)) >= options.CapMessages)
        {
            return "frequency-cap";
        }

        return channel == Channels.Sms && r.Tier == options.DormantTier && SmsThisMonth(r, now) >= options.DormantSmsPerMonth
            ? "monthly-sms-cap"
            : null;
    }

    public static bool IsValidPhone(string? e164)
    {
        if (string.IsNullOrWhiteSpace(e164) || !e164.StartsWith('+'))
        {
            return false;
        }

        try
        {
            return Phones.IsValidNumber(Phones.Parse(e164, null));
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>When <paramref name="now"/> falls in the user's quiet hours, the first instant they end; else null.</summary>
    public DateTimeOffset? QuietUntil(DateTimeOffset now, TimeZoneInfo zone)
    {
        var start = options.QuietHoursStart;
        var end = options.QuietHoursEnd;
        if (start == end)
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(now, zone);
        var t = TimeOnly.FromDateTime(local.DateTime);
        if (!IsQuiet(t, start, end))
        {
            return null;
        }

        var day = DateOnly.FromDateTime(local.DateTime);
        var endDay = t >= end ? day.AddDays(1) : day; // the end still to come
        return ToInstant(endDay.ToDateTime(end), zone);
    }

    /// <summary>Whether a local time falls in quiet hours [start, end), which may wrap midnight (21:00-09:00); start == end: none.</summary>
    public static bool IsQuiet(TimeOnly time, TimeOnly start, TimeOnly end) =>
        start != end && (start < end ? time >= start && time < end : time >= start || time < end);

    /// <summary>A local wall-clock time as an instant (<see cref="Activity.LocalInstant"/>'s rule: in a spring-forward gap, the first valid minute after it; when ambiguous, the earlier instant).</summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone) => Activity.LocalInstant.Of(local, zone);

    private static int SmsThisMonth(Recipient r, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, r.TimeZone);
        return r.Touches.Count(t => t.Channel == Channels.Sms
            && TimeZoneInfo.ConvertTime(t.At, r.TimeZone) is var at && at.Year == local.Year && at.Month == local.Month);
    }
}

/// <summary>The user's touch log, kept in the user entity as <c>unixMinutes:channel;...</c> for the last 35 days.</summary>
public static class TouchLog
{
    public const int KeepDays = 35;

    // a corrupt entry beyond year 9999 is ignored rather than breaking the whole log
    private static readonly long MaxMinutes = DateTimeOffset.MaxValue.ToUnixTimeSeconds() / 60;

    public static List<Touch> Parse(string? text)
    {
        var touches = new List<Touch>();
        foreach (var entry in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && colon < entry.Length - 1
                && long.TryParse(entry.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
                && minutes <= MaxMinutes)
            {
                touches.Add(new Touch(DateTimeOffset.FromUnixTimeSeconds(minutes * 60), entry[(colon + 1)..]));
            }
        }

        return touches;
    }

    public static string Format(IEnumerable<Touch> touches, DateTimeOffset now) =>
        string.Join(';', touches.Where(t => t.At > now.AddDays(-KeepDays)).OrderBy(t => t.At)
            .Select(t => (t.At.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture) + ":" + t.Channel));
}
