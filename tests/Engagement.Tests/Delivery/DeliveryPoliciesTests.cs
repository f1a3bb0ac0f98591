using Engagement.Campaigns;
using Engagement.Delivery;

namespace Engagement.Tests.Delivery;

public class DeliveryPoliciesTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private const string ValidPhone = "+8613800138000";

    /// <summary>2026-06-15 12:00 in Shanghai (UTC+8, no DST): well outside the default quiet hours.</summary>
    private static readonly DateTimeOffset ShanghaiNoon = Utc(2026, 6, 15, 4, 0);

    private static readonly DeliveryPolicies Defaults = new(new DeliveryOptions());

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    /// <summary>A recipient every policy lets through (at <see cref="ShanghaiNoon"/>) unless a parameter says otherwise.</summary>
    private static Recipient Person(
        TimeZoneInfo? zone = null,
        string? tier = "active",
        string? phone = ValidPhone,
        string? pushToken = "push-token-1",
        bool consentSms = true,
        bool consentPush = true,
        bool consentInApp = true,
        IReadOnlyList<Touch>? touches = null) =>
        new("user-1", tier, phone, pushToken, zone ?? Shanghai, consentSms, consentPush, consentInApp, touches ?? []);

    private static PolicyVerdict SkipBecause(string reason) => new(VerdictKind.Skip, reason);

    private static PolicyVerdict DeferUntil(DateTimeOffset until) => new(VerdictKind.Defer, "quiet-hours", until);

    private static void AssertSkipped(string reason, PolicyVerdict verdict)
    {
        Assert.Equal(VerdictKind.Skip, verdict.Kind);
        Assert.Equal(reason, verdict.Reason);
    }

    private static void AssertDeferredUntil(DateTimeOffset until, PolicyVerdict verdict)
    {
        Assert.Equal(VerdictKind.Defer, verdict.Kind);
        Assert.Equal("quiet-hours", verdict.Reason);
        Assert.NotNull(verdict.Until);
        Assert.Equal(until.UtcDateTime, verdict.Until.Value.UtcDateTime);
    }

    // ---- each policy decides on its own ----

    [Theory]
    [InlineData(Channels.Sms)]
    [InlineData(Channels.Push)]
    [InlineData(Channels.InApp)]
    public void Evaluate_EveryPolicySatisfied_Sends(string channel)
    {
        var verdict = Defaults.Evaluate(channel, Person(), ShanghaiNoon.AddDays(1), ShanghaiNoon);

        Assert.Equal(PolicyVerdict.Send, verdict);
        Assert.Null(verdict.Reason);
        Assert.Null(verdict.Until);
    }

    [Theory]
    [InlineData(Channels.Sms)]
    [InlineData(Channels.Push)]
    [InlineData(Channels.InApp)]
    public void Evaluate_NowEqualsExpiry_SkipsExpired(string channel)
    {
        var verdict = Defaults.Evaluate(channel, Person(), ShanghaiNoon, ShanghaiNoon);

        Assert.Equal(SkipBecause("expired"), verdict);
    }

    [Fact]
    public void Evaluate_NowAfterExpiry_SkipsExpired()
    {
        var verdict = Defaults.Evaluate(Channels.Sms, Person(), ShanghaiNoon.AddMinutes(-1), ShanghaiNoon);

        AssertSkipped("expired", verdict);
    }

    [Fact]
    public void Evaluate_OneTickBeforeExpiry_Sends()
    {
        var verdict = Defaults.Evaluate(Channels.Sms, Person(), ShanghaiNoon.AddTicks(1), ShanghaiNoon);

        Assert.Equal(PolicyVerdict.Send, verdict);
    }

    [Fact]
    public void Evaluate_ExpiryInAnotherOffset_ComparesInstants()
    {
        // 20:00+08:00 is 12:00Z, the same instant as 12:00Z: expired although the wall-clock reading is later
        var now = Utc(2026, 6, 15, 12, 0);
        var expiresAt = new DateTimeOffset(2026, 6, 15, 20, 0, 0, TimeSpan.FromHours(8));

        AssertSkipped("expired", Defaults.Evaluate(Channels.InApp, Person(), expiresAt, now));
    }

    [Fact]
    public void Evaluate_NoExpiry_Sends()
    {
        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.Sms, Person(), null, ShanghaiNoon));
    }

    [Theory]
    [InlineData(Channels.Sms, false, true, true, "no-consent")]
    [InlineData(Channels.Sms, true, false, false, null)]
    [InlineData(Channels.Push, true, false, true, "no-consent")]
    [InlineData(Channels.Push, false, true, false, null)]
    [InlineData(Channels.InApp, true, true, false, "no-consent")]
    [InlineData(Channels.InApp, false, false, true, null)]
    public void Evaluate_ConsentFlags_OnlyTheChannelsOwnConsentCounts(
        string channel, bool consentSms, bool consentPush, bool consentInApp, string? expectedReason)
    {
        var r = Person(consentSms: consentSms, consentPush: consentPush, consentInApp: consentInApp);

        var verdict = Defaults.Evaluate(channel, r, null, ShanghaiNoon);

        Assert.Equal(expectedReason is null ? PolicyVerdict.Send : SkipBecause(expectedReason), verdict);
    }

    [Fact]
    public void Evaluate_SmsWithoutPhone_SkipsNoPhone()
    {
        AssertSkipped("no-phone", Defaults.Evaluate(Channels.Sms, Person(phone: null), null, ShanghaiNoon));
    }

    [Theory]
    [InlineData("+86123")]
    [InlineData("8613800138000")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("+86 not a number")]
    public void Evaluate_SmsWithUnusablePhone_SkipsInvalidPhone(string phone)
    {
        AssertSkipped("invalid-phone", Defaults.Evaluate(Channels.Sms, Person(phone: phone), null, ShanghaiNoon));
    }

    [Theory]
    [InlineData(Channels.Push)]
    [InlineData(Channels.InApp)]
    public void Evaluate_NonSmsWithoutPhone_Sends(string channel)
    {
        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(channel, Person(phone: null), null, ShanghaiNoon));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Evaluate_PushWithoutToken_SkipsNoPushToken(string? token)
    {
        AssertSkipped("no-push-token", Defaults.Evaluate(Channels.Push, Person(pushToken: token), null, ShanghaiNoon));
    }

    [Theory]
    [InlineData(Channels.Sms)]
    [InlineData(Channels.InApp)]
    public void Evaluate_NonPushWithoutToken_Sends(string channel)
    {
        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(channel, Person(pushToken: null), null, ShanghaiNoon));
    }

    [Theory]
    [InlineData(Channels.Sms)]
    [InlineData(Channels.Push)]
    public void Evaluate_InQuietHours_DefersWithQuietHoursReasonAndUntil(string channel)
    {
        // 22:00 in Shanghai
        var now = Utc(2026, 6, 15, 14, 0);

        var verdict = Defaults.Evaluate(channel, Person(), null, now);

        Assert.Equal(DeferUntil(Utc(2026, 6, 16, 1, 0)), verdict); // 09:00 next day in Shanghai
    }

    [Theory]
    [InlineData(Channels.Sms)]
    [InlineData(Channels.Push)]
    [InlineData(Channels.InApp)]
    public void Evaluate_CapMessagesTouchesWithinWindow_SkipsFrequencyCap(string channel)
    {
        var touches = new[]
        {
            new Touch(ShanghaiNoon.AddDays(-6), Channels.Sms),
            new Touch(ShanghaiNoon.AddDays(-3), Channels.Push),
            new Touch(ShanghaiNoon.AddHours(-1), Channels.InApp),
        };

        var verdict = Defaults.Evaluate(channel, Person(touches: touches), null, ShanghaiNoon);

        Assert.Equal(SkipBecause("frequency-cap"), verdict);
    }

    [Fact]
    public void Evaluate_OneTouchBelowCap_Sends()
    {
        var touches = new[] { new Touch(ShanghaiNoon.AddDays(-6), Channels.Sms), new Touch(ShanghaiNoon.AddHours(-1), Channels.Sms) };

        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.Push, Person(touches: touches), null, ShanghaiNoon));
    }

    [Fact]
    public void Evaluate_DormantUserWithSmsThisMonth_SkipsMonthlySmsCap()
    {
        var r = Person(tier: "dormant", touches: [new Touch(ShanghaiNoon.AddDays(-10), Channels.Sms)]);

        Assert.Equal(SkipBecause("monthly-sms-cap"), Defaults.Evaluate(Channels.Sms, r, null, ShanghaiNoon));
    }

    // ---- the first policy that says no decides ----

    [Fact]
    public void Evaluate_ExpiredAndNoConsent_ReasonIsExpired()
    {
        var verdict = Defaults.Evaluate(Channels.Sms, Person(consentSms: false), ShanghaiNoon.AddHours(-1), ShanghaiNoon);

        AssertSkipped("expired", verdict);
    }

    [Fact]
    public void Evaluate_NoConsentAndInvalidPhone_ReasonIsNoConsent()
    {
        var verdict = Defaults.Evaluate(Channels.Sms, Person(consentSms: false, phone: "+86123"), null, ShanghaiNoon);

        AssertSkipped("no-consent", verdict);
    }

    [Fact]
    public void Evaluate_NoConsentAndNoPushToken_ReasonIsNoConsent()
    {
        var verdict = Defaults.Evaluate(Channels.Push, Person(consentPush: false, pushToken: null), null, ShanghaiNoon);

        AssertSkipped("no-consent", verdict);
    }

    [Fact]
    public void Evaluate_InvalidPhoneInQuietHours_ReasonIsInvalidPhone()
    {
        var night = Utc(2026, 6, 15, 15, 0); // 23:00 Shanghai

        AssertSkipped("invalid-phone", Defaults.Evaluate(Channels.Sms, Person(phone: "+86123"), null, night));
    }

    [Fact]
    public void Evaluate_NoPushTokenInQuietHours_ReasonIsNoPushToken()
    {
        var night = Utc(2026, 6, 15, 15, 0); // 23:00 Shanghai

        AssertSkipped("no-push-token", Defaults.Evaluate(Channels.Push, Person(pushToken: null), null, night));
    }

    [Fact]
    public void Evaluate_QuietHoursAndFrequencyCap_Defers()
    {
        var night = Utc(2026, 6, 15, 15, 0); // 23:00 Shanghai
        var touches = Enumerable.Range(1, 3).Select(h => new Touch(night.AddHours(-h), Channels.Sms)).ToArray();

        var verdict = Defaults.Evaluate(Channels.Sms, Person(touches: touches), null, night);

        AssertDeferredUntil(Utc(2026, 6, 16, 1, 0), verdict);
    }

    [Fact]
    public void Evaluate_FrequencyCapAndMonthlySmsCap_ReasonIsFrequencyCap()
    {
        var touches = Enumerable.Range(1, 3).Select(d => new Touch(ShanghaiNoon.AddDays(-d), Channels.Sms)).ToArray();

        var verdict = Defaults.Evaluate(Channels.Sms, Person(tier: "dormant", touches: touches), null, ShanghaiNoon);

        AssertSkipped("frequency-cap", verdict);
    }

    [Fact]
    public void Evaluate_EveryPolicyFails_ReasonIsExpired()
    {
        var night = Utc(2026, 6, 15, 15, 0); // 23:00 Shanghai
        var touches = Enumerable.Range(1, 3).Select(h => new Touch(night.AddHours(-h), Channels.Sms)).ToArray();
        var r = Person(tier: "dormant", phone: null, pushToken: null, consentSms: false, consentPush: false, consentInApp: false, touches: touches);

        foreach (var channel in Channels.All)
        {
            AssertSkipped("expired", Defaults.Evaluate(channel, r, night, night));
        }
    }

    // ---- phone numbers ----

    [Theory]
    [InlineData("+8613800138000", true)]
    [InlineData("+12015550123", true)]
    [InlineData("+447400123456", true)]
    [InlineData("+86123", false)]
    [InlineData("8613800138000", false)]
    [InlineData("+", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("+86abc", false)]
    public void IsValidPhone_Number_MatchesE164Validity(string? phone, bool expected)
    {
        Assert.Equal(expected, DeliveryPolicies.IsValidPhone(phone));
    }

    // ---- quiet hours (default 21:00-09:00 local) ----

    [Theory]
    [InlineData(21, 0)]
    [InlineData(23, 59)]
    [InlineData(0, 0)]
    [InlineData(3, 0)]
    [InlineData(8, 59)]
    public void Evaluate_InAppAtNight_NeverDeferred(int hour, int minute)
    {
        // New York in January is UTC-5
        var now = new DateTimeOffset(2027, 1, 15, hour, minute, 0, TimeSpan.FromHours(-5));

        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.InApp, Person(zone: NewYork), null, now));
    }

    [Fact]
    public void Evaluate_SmsAt2059Local_Sends()
    {
        var now = new DateTimeOffset(2027, 1, 15, 20, 59, 0, TimeSpan.FromHours(-5));

        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.Sms, Person(zone: NewYork), null, now));
    }

    [Fact]
    public void Evaluate_SmsAt2100Local_DefersUntilNextDay0900Local()
    {
        var now = Utc(2027, 1, 16, 2, 0); // 2027-01-15 21:00 EST

        var verdict = Defaults.Evaluate(Channels.Sms, Person(zone: NewYork), null, now);

        AssertDeferredUntil(Utc(2027, 1, 16, 14, 0), verdict); // 2027-01-16 09:00 EST
    }

    [Fact]
    public void Evaluate_SmsAt0859Local_DefersUntil0900SameDay()
    {
        var now = Utc(2027, 1, 15, 13, 59); // 2027-01-15 08:59 EST

        var verdict = Defaults.Evaluate(Channels.Sms, Person(zone: NewYork), null, now);

        AssertDeferredUntil(Utc(2027, 1, 15, 14, 0), verdict);
    }

    [Fact]
    public void Evaluate_SmsAtLocalMidnight_DefersUntil0900SameDay()
    {
        var now = Utc(2027, 1, 15, 5, 0); // 2027-01-15 00:00 EST

        AssertDeferredUntil(Utc(2027, 1, 15, 14, 0), Defaults.Evaluate(Channels.Sms, Person(zone: NewYork), null, now));
    }

    [Fact]
    public void Evaluate_SmsAt0900Local_Sends()
    {
        var now = Utc(2027, 1, 15, 14, 0); // 09:00 EST

        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.Sms, Person(zone: NewYork), null, now));
    }

    [Fact]
    public void Evaluate_SameInstant_QuietInNewYorkButNotInShanghai()
    {
        var now = Utc(2027, 1, 16, 3, 0); // 22:00 in New York, 11:00 in Shanghai

        AssertDeferredUntil(Utc(2027, 1, 16, 14, 0), Defaults.Evaluate(Channels.Sms, Person(zone: NewYork), null, now));
        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.Sms, Person(zone: Shanghai), null, now));
    }

    [Fact]
    public void Evaluate_SameInstant_QuietInShanghaiButNotInNewYork()
    {
        var now = Utc(2027, 1, 15, 14, 30); // 22:30 in Shanghai, 09:30 in New York

        AssertDeferredUntil(Utc(2027, 1, 16, 1, 0), Defaults.Evaluate(Channels.Push, Person(zone: Shanghai), null, now));
        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.Push, Person(zone: NewYork), null, now));
    }

    [Fact]
    public void Evaluate_LondonSummer_UsesBritishSummerTimeNotUtc()
    {
        // 20:30Z is 21:30 BST: quiet in London although it is before 21:00 UTC
        var now = Utc(2026, 7, 1, 20, 30);

        var verdict = Defaults.Evaluate(Channels.Sms, Person(zone: London), null, now);

        AssertDeferredUntil(Utc(2026, 7, 2, 8, 0), verdict); // 09:00 BST
    }

    [Fact]
    public void Evaluate_SpringForwardNight_DeferralEndsAt0900Edt()
    {
        var now = Utc(2027, 3, 14, 6, 30); // 01:30 EST, before clocks jump 02:00 -> 03:00

        var verdict = Defaults.Evaluate(Channels.Sms, Person(zone: NewYork), null, now);

        AssertDeferredUntil(Utc(2027, 3, 14, 13, 0), verdict); // 09:00 EDT, not 14:00Z
    }

    [Fact]
    public void QuietUntil_EveningBeforeSpringForward_EndsAt0900EdtNextMorning()
    {
        var now = Utc(2027, 3, 14, 2, 0); // 2027-03-13 21:00 EST

        Assert.Equal(Utc(2027, 3, 14, 13, 0), Defaults.QuietUntil(now, NewYork));
    }

    [Fact]
    public void Evaluate_FallBackNightFirstPass_DeferralEndsAt0900Est()
    {
        var now = Utc(2026, 11, 1, 5, 30); // 01:30 EDT, the first pass

        var verdict = Defaults.Evaluate(Channels.Sms, Person(zone: NewYork), null, now);

        AssertDeferredUntil(Utc(2026, 11, 1, 14, 0), verdict); // 09:00 EST
    }

    [Fact]
    public void QuietUntil_FallBackNightSecondPass_EndsAt0900Est()
    {
        var now = Utc(2026, 11, 1, 6, 30); // 01:30 EST, the second pass

        Assert.Equal(Utc(2026, 11, 1, 14, 0), Defaults.QuietUntil(now, NewYork));
    }

    [Theory]
    [InlineData(11, 59, null, null)]
    [InlineData(12, 0, 14, 0)]
    [InlineData(13, 59, 14, 0)]
    [InlineData(14, 0, null, null)]
    [InlineData(23, 0, null, null)]
    [InlineData(3, 0, null, null)]
    public void QuietUntil_WindowNotWrappingMidnight_QuietOnlyInsideWindow(int hour, int minute, int? untilHour, int? untilMinute)
    {
        var policies = new DeliveryPolicies(new DeliveryOptions { QuietHoursStart = new(12, 0), QuietHoursEnd = new(14, 0) });
        var now = new DateTimeOffset(2026, 6, 15, hour, minute, 0, TimeSpan.FromHours(8)); // Shanghai local

        var until = policies.QuietUntil(now, Shanghai);

        Assert.Equal(
            untilHour is { } h ? new DateTimeOffset(2026, 6, 15, h, untilMinute!.Value, 0, TimeSpan.FromHours(8)) : null,
            until);
    }

    [Fact]
    public void Evaluate_WindowNotWrappingMidnight_DefersSmsAtLunchAndSendsAtNight()
    {
        var policies = new DeliveryPolicies(new DeliveryOptions { QuietHoursStart = new(12, 0), QuietHoursEnd = new(14, 0) });

        AssertDeferredUntil(Utc(2026, 6, 15, 6, 0), policies.Evaluate(Channels.Sms, Person(), null, Utc(2026, 6, 15, 4, 30))); // 12:30 local
        Assert.Equal(PolicyVerdict.Send, policies.Evaluate(Channels.Sms, Person(), null, Utc(2026, 6, 15, 15, 0))); // 23:00 local
    }

    [Theory]
    [InlineData(9, 0)]
    [InlineData(0, 0)]
    [InlineData(21, 0)]
    public void QuietUntil_StartEqualsEnd_NeverQuiet(int boundaryHour, int boundaryMinute)
    {
        var boundary = new TimeOnly(boundaryHour, boundaryMinute);
        var policies = new DeliveryPolicies(new DeliveryOptions { QuietHoursStart = boundary, QuietHoursEnd = boundary });
        var midnight = new DateTimeOffset(2027, 1, 15, 0, 0, 0, TimeSpan.FromHours(-5)); // New York local

        for (var minutes = 0; minutes < 24 * 60; minutes += 15)
        {
            var now = midnight.AddMinutes(minutes);
            Assert.Null(policies.QuietUntil(now, NewYork));
            Assert.Equal(PolicyVerdict.Send, policies.Evaluate(Channels.Sms, Person(zone: NewYork), null, now));
        }
    }

    // ---- ToInstant ----

    [Fact]
    public void ToInstant_LocalTimeInSpringForwardGap_MapsToFirstValidMinuteAfter()
    {
        var instant = DeliveryPolicies.ToInstant(new DateTime(2027, 3, 14, 2, 30, 0), NewYork);

        Assert.Equal(Utc(2027, 3, 14, 7, 0).UtcDateTime, instant.UtcDateTime); // 03:00 EDT
        Assert.Equal(TimeSpan.FromHours(-4), instant.Offset);
    }

    [Fact]
    public void ToInstant_StartOfSpringForwardGap_MapsTo0300Edt()
    {
        var instant = DeliveryPolicies.ToInstant(new DateTime(2027, 3, 14, 2, 0, 0), NewYork);

        Assert.Equal(Utc(2027, 3, 14, 7, 0).UtcDateTime, instant.UtcDateTime);
    }

    [Fact]
    public void ToInstant_MinuteBeforeSpringForwardGap_MapsToEst()
    {
        var instant = DeliveryPolicies.ToInstant(new DateTime(2027, 3, 14, 1, 59, 0), NewYork);

        Assert.Equal(Utc(2027, 3, 14, 6, 59).UtcDateTime, instant.UtcDateTime);
    }

    [Fact]
    public void ToInstant_AmbiguousFallBackTime_MapsToEarlierInstant()
    {
        var instant = DeliveryPolicies.ToInstant(new DateTime(2026, 11, 1, 1, 30, 0), NewYork);

        Assert.Equal(Utc(2026, 11, 1, 5, 30).UtcDateTime, instant.UtcDateTime); // 01:30 EDT, not 06:30Z (EST)
        Assert.Equal(TimeSpan.FromHours(-4), instant.Offset);
    }

    [Theory]
    [InlineData(DateTimeKind.Unspecified)]
    [InlineData(DateTimeKind.Utc)]
    [InlineData(DateTimeKind.Local)]
    public void ToInstant_OrdinaryTime_ReadsItAsZoneWallClockWhateverItsKind(DateTimeKind kind)
    {
        var local = new DateTime(2026, 6, 15, 9, 0, 0, kind);

        var instant = DeliveryPolicies.ToInstant(local, Shanghai);

        Assert.Equal(Utc(2026, 6, 15, 1, 0).UtcDateTime, instant.UtcDateTime);
        Assert.Equal(TimeSpan.FromHours(8), instant.Offset);
    }

    // ---- monthly SMS cap for dormant users, in the user's own calendar month ----

    [Fact]
    public void Evaluate_ShanghaiTouchOnLocalDecember1ButUtcNovember30_CapsDecemberSend()
    {
        var r = Person(zone: Shanghai, tier: "dormant", touches: [new Touch(Utc(2026, 11, 30, 17, 0), Channels.Sms)]); // Dec 1 01:00 local

        var verdict = Defaults.Evaluate(Channels.Sms, r, null, Utc(2026, 12, 15, 2, 0)); // Dec 15 10:00 local

        AssertSkipped("monthly-sms-cap", verdict);
    }

    [Fact]
    public void Evaluate_ShanghaiTouchOnLocalNovember30_DoesNotCapSendOnLocalDecember1()
    {
        var r = Person(zone: Shanghai, tier: "dormant", touches: [new Touch(Utc(2026, 11, 30, 15, 0), Channels.Sms)]); // Nov 30 23:00 local

        var verdict = Defaults.Evaluate(Channels.Sms, r, null, Utc(2026, 12, 1, 2, 0)); // Dec 1 10:00 local

        Assert.Equal(PolicyVerdict.Send, verdict);
    }

    [Fact]
    public void CapReason_ShanghaiSendOnLocalDecember1ButUtcNovember30_NotCappedByNovemberTouch()
    {
        // the send's month is read in the user's zone too: Nov 30 17:30Z is Dec 1 01:30 in Shanghai
        var r = Person(zone: Shanghai, tier: "dormant", touches: [new Touch(Utc(2026, 11, 20, 2, 0), Channels.Sms)]);

        Assert.Null(Defaults.CapReason(Channels.Sms, r, Utc(2026, 11, 30, 17, 30)));
    }

    [Fact]
    public void Evaluate_NewYorkTouchOnLocalNovember30ButUtcDecember1_DoesNotCapDecemberSend()
    {
        var r = Person(zone: NewYork, tier: "dormant", touches: [new Touch(Utc(2026, 12, 1, 3, 0), Channels.Sms)]); // Nov 30 22:00 EST

        var verdict = Defaults.Evaluate(Channels.Sms, r, null, Utc(2026, 12, 15, 15, 0)); // Dec 15 10:00 EST

        Assert.Equal(PolicyVerdict.Send, verdict);
    }

    [Fact]
    public void CapReason_SameMonthOfAnotherYear_DoesNotCount()
    {
        var r = Person(tier: "dormant", touches: [new Touch(ShanghaiNoon.AddYears(-1), Channels.Sms)]);

        Assert.Null(Defaults.CapReason(Channels.Sms, r, ShanghaiNoon));
    }

    [Theory]
    [InlineData("active")]
    [InlineData("Dormant")]
    [InlineData(null)]
    public void Evaluate_NonDormantUserWithSmsThisMonth_NotCapped(string? tier)
    {
        var r = Person(tier: tier, touches: [new Touch(ShanghaiNoon.AddDays(-10), Channels.Sms)]);

        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.Sms, r, null, ShanghaiNoon));
    }

    [Fact]
    public void Evaluate_DormantUserWithOnlyPushAndInAppTouchesThisMonth_SmsNotCapped()
    {
        var touches = new[] { new Touch(ShanghaiNoon.AddDays(-10), Channels.Push), new Touch(ShanghaiNoon.AddDays(-12), Channels.InApp) };

        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.Sms, Person(tier: "dormant", touches: touches), null, ShanghaiNoon));
    }

    [Theory]
    [InlineData(Channels.Push)]
    [InlineData(Channels.InApp)]
    public void Evaluate_DormantUserWithSmsThisMonth_OtherChannelsNotCapped(string channel)
    {
        var r = Person(tier: "dormant", touches: [new Touch(ShanghaiNoon.AddDays(-10), Channels.Sms)]);

        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(channel, r, null, ShanghaiNoon));
    }

    [Fact]
    public void CapReason_ConfiguredTierAndLimit_CapsAtTheLimit()
    {
        var policies = new DeliveryPolicies(new DeliveryOptions { DormantTier = "sleeping", DormantSmsPerMonth = 2 });
        var one = new[] { new Touch(ShanghaiNoon.AddDays(-10), Channels.Sms) };
        var two = new[] { one[0], new Touch(ShanghaiNoon.AddDays(-12), Channels.Sms) };

        Assert.Null(policies.CapReason(Channels.Sms, Person(tier: "sleeping", touches: one), ShanghaiNoon));
        Assert.Equal("monthly-sms-cap", policies.CapReason(Channels.Sms, Person(tier: "sleeping", touches: two), ShanghaiNoon));
        Assert.Null(policies.CapReason(Channels.Sms, Person(tier: "dormant", touches: two), ShanghaiNoon));
    }

    // ---- frequency cap window ----

    [Fact]
    public void CapReason_TouchExactlyWindowOld_NoLongerCounts()
    {
        var touches = new[]
        {
            new Touch(ShanghaiNoon.AddDays(-7), Channels.Sms),
            new Touch(ShanghaiNoon.AddDays(-2), Channels.Push),
            new Touch(ShanghaiNoon.AddDays(-1), Channels.InApp),
        };

        Assert.Null(Defaults.CapReason(Channels.Push, Person(touches: touches), ShanghaiNoon));
        Assert.Equal(PolicyVerdict.Send, Defaults.Evaluate(Channels.Push, Person(touches: touches), null, ShanghaiNoon));
    }

    [Fact]
    public void CapReason_TouchOneMinuteYoungerThanWindow_StillCounts()
    {
        var touches = new[]
        {
            new Touch(ShanghaiNoon.AddDays(-7).AddMinutes(1), Channels.Sms),
            new Touch(ShanghaiNoon.AddDays(-2), Channels.Push),
            new Touch(ShanghaiNoon.AddDays(-1), Channels.InApp),
        };

        Assert.Equal("frequency-cap", Defaults.CapReason(Channels.Push, Person(touches: touches), ShanghaiNoon));
        AssertSkipped("frequency-cap", Defaults.Evaluate(Channels.Push, Person(touches: touches), null, ShanghaiNoon));
    }

    [Fact]
    public void CapReason_ConfiguredCapAndWindow_AreUsed()
    {
        var policies = new DeliveryPolicies(new DeliveryOptions { CapMessages = 1, CapWindowDays = 2 });

        var inside = Person(touches: [new Touch(ShanghaiNoon.AddDays(-2).AddMinutes(1), Channels.InApp)]);
        var outside = Person(touches: [new Touch(ShanghaiNoon.AddDays(-2), Channels.InApp)]);

        Assert.Equal("frequency-cap", policies.CapReason(Channels.Sms, inside, ShanghaiNoon));
        Assert.Null(policies.CapReason(Channels.Sms, outside, ShanghaiNoon));
    }

    [Fact]
    public void CapReason_NoTouches_IsNull()
    {
        Assert.Null(Defaults.CapReason(Channels.Sms, Person(tier: "dormant"), ShanghaiNoon));
    }
}
