using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Segmentation;
using Engagement.Users;
using Microsoft.Extensions.Options;

namespace Engagement.Tests.Delivery;

/// <summary>
/// How a user's row turns into what the SMS policies see: a STOP holds until the user's own START
/// (an imported consent flag does not lift it), and a suppressed number stays suppressed only while
/// the profile keeps that number.
/// </summary>
public sealed class SmsOptOutTests
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 15, 4, 0, 0, TimeSpan.Zero); // 12:00 Shanghai
    private static readonly DeliveryComposer Composer = new(
        new MessageTemplates(),
        new ActivityCalendar(Options.Create(new ActivityOptions())),
        Options.Create(new SmsOptions()));

    private static readonly DeliveryPolicies Policies = new(new DeliveryOptions());

    private static TableEntity User(Action<TableEntity>? change = null)
    {
        var e = new TableEntity("s00", "u1")
        {
            [UserEntity.Phone] = "+8613800138000",
            [UserEntity.TimeZone] = "Asia/Shanghai",
            [UserEntity.ConsentSms] = true,
        };
        change?.Invoke(e);
        return e;
    }

    private static PolicyVerdict Sms(TableEntity user) => Policies.Evaluate(Channels.Sms, Composer.RecipientOf(user), null, Noon);

    [Fact]
    public void AStopHolds_EvenWithConsentFromAnImport() =>
        Assert.Equal("opted-out", Sms(User(u => u[UserEntity.SmsOptedOutAt] = Noon.AddDays(-3))).Reason);

    [Fact]
    public void AStartAfterTheStop_LiftsIt() =>
        Assert.Equal(VerdictKind.Send, Sms(User(u =>
        {
            u[UserEntity.SmsOptedOutAt] = Noon.AddDays(-3);
            u[UserEntity.SmsOptedInAt] = Noon.AddDays(-1);
        })).Kind);

    [Fact]
    public void AStopAfterAnEarlierStart_Holds() =>
        Assert.Equal("opted-out", Sms(User(u =>
        {
            u[UserEntity.SmsOptedInAt] = Noon.AddDays(-3);
            u[UserEntity.SmsOptedOutAt] = Noon.AddDays(-1);
        })).Reason);

    [Fact]
    public void ASuppressedNumber_StaysSuppressedWhileTheProfileKeepsIt() =>
        Assert.Equal("phone-suppressed", Sms(User(u =>
        {
            u[UserEntity.PhoneSuppressed] = true;
            u[UserEntity.SuppressedPhone] = "+8613800138000";
        })).Reason);

    [Fact]
    public void ANewNumber_IsNotSuppressed() =>
        Assert.Equal(VerdictKind.Send, Sms(User(u =>
        {
            u[UserEntity.PhoneSuppressed] = true;
            u[UserEntity.SuppressedPhone] = "+8613900000000";
        })).Kind);

    [Fact]
    public void ASuppressionFromBeforeNumbersWereRecorded_Holds() =>
        Assert.Equal("phone-suppressed", Sms(User(u => u[UserEntity.PhoneSuppressed] = true)).Reason);
}
