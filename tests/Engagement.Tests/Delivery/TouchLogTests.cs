using Engagement.Campaigns;
using Engagement.Delivery;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Delivery;

public class TouchLogTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 4, 0, 0, TimeSpan.Zero); // unix minute 29691600

    private static readonly long KeepTicks = TimeSpan.FromDays(35).Ticks;

    private static readonly Gen<DateTimeOffset> AnyNow =
        from seconds in Gen.Choose(1_577_836_800, 2_000_000_000) // 2020-01-01 .. 2033-05-18
        from ticks in Gen.Choose(0, (int)TimeSpan.TicksPerSecond - 1)
        select DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(ticks);

    private static readonly Gen<TimeSpan> AnyOffset =
        Gen.Elements(TimeSpan.Zero, TimeSpan.FromHours(8), TimeSpan.FromHours(-5), new TimeSpan(5, 30, 0));

    /// <summary>An age in ticks below <paramref name="maxTicks"/>, with both ends well represented.</summary>
    private static Gen<long> AgeBelow(long maxTicks) => Gen.Frequency(
        (6, from seconds in Gen.Choose(0, (int)(maxTicks / TimeSpan.TicksPerSecond) - 1)
            from ticks in Gen.Choose(0, (int)TimeSpan.TicksPerSecond - 1)
            select seconds * TimeSpan.TicksPerSecond + ticks),
        (1, Gen.Choose(0, 120_000_000).Select(t => (long)t)),
        (1, Gen.Choose(1, 120_000_000).Select(t => maxTicks - t)));

    private static Gen<Touch> TouchAged(DateTimeOffset now, Gen<long> age) =>
        from ticks in age
        from offset in AnyOffset
        from channel in Gen.Elements(Channels.Sms, Channels.Push, Channels.InApp)
        select new Touch(now.AddTicks(-ticks).ToOffset(offset), channel);

    private static DateTimeOffset ToMinute(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    [Property(MaxTest = 300)]
    public Property FormatThenParse_TouchesWithinLast35Days_RoundTripToTheMinuteInTimeOrder() =>
        Prop.ForAll(
            Arb.From(from now in AnyNow
                     from touches in TouchAged(now, AgeBelow(KeepTicks)).ArrayOf()
                     select (now, touches)),
            input =>
            {
                var (now, touches) = input;

                var parsed = TouchLog.Parse(TouchLog.Format(touches, now));

                var expected = touches.OrderBy(t => t.At).Select(t => new Touch(ToMinute(t.At), t.Channel)).ToList();
                Assert.Equal(expected.Select(t => (t.At.UtcDateTime, t.Channel)), parsed.Select(t => (t.At.UtcDateTime, t.Channel)));
            });

    [Property(MaxTest = 300)]
    public Property Format_TouchesUpTo70DaysOld_KeepsExactlyThoseYoungerThan35Days() =>
        Prop.ForAll(
            Arb.From(from now in AnyNow
                     from touches in TouchAged(now, Gen.OneOf(AgeBelow(KeepTicks), AgeBelow(2 * KeepTicks), Gen.Constant(KeepTicks))).ArrayOf()
                     select (now, touches)),
            input =>
            {
                var (now, touches) = input;

                var parsed = TouchLog.Parse(TouchLog.Format(touches, now));

                var expected = touches.Where(t => now - t.At < TimeSpan.FromDays(35)).OrderBy(t => t.At)
                    .Select(t => (ToMinute(t.At).UtcDateTime, t.Channel));
                Assert.Equal(expected, parsed.Select(t => (t.At.UtcDateTime, t.Channel)));
            });

    [Fact]
    public void Format_UnorderedTouches_WritesUnixMinutesAndChannelsInTimeOrder()
    {
        var touches = new[]
        {
            new Touch(new DateTimeOffset(2026, 6, 14, 10, 30, 45, TimeSpan.Zero), Channels.InApp),
            new Touch(new DateTimeOffset(2026, 6, 15, 4, 0, 0, TimeSpan.Zero), Channels.Push),
            new Touch(new DateTimeOffset(2026, 6, 11, 7, 59, 59, TimeSpan.FromHours(8)).AddMilliseconds(900), Channels.Sms), // 2026-06-10T23:59:59.9Z
        };

        Assert.Equal("29685599:sms;29690550:inapp;29691600:push", TouchLog.Format(touches, Now));
    }

    [Fact]
    public void Format_TouchExactly35DaysOld_IsDropped()
    {
        var touches = new[] { new Touch(Now.AddDays(-35), Channels.Sms), new Touch(Now.AddDays(-1), Channels.Push) };

        Assert.Equal("29690160:push", TouchLog.Format(touches, Now));
    }

    [Fact]
    public void Format_TouchOneMinuteYoungerThan35Days_IsKept()
    {
        var touches = new[] { new Touch(Now.AddDays(-35).AddMinutes(1), Channels.Sms) };

        Assert.Equal("29641201:sms", TouchLog.Format(touches, Now));
    }

    [Fact]
    public void Format_NoTouches_IsEmpty()
    {
        Assert.Equal("", TouchLog.Format([], Now));
        Assert.Empty(TouchLog.Parse(TouchLog.Format([], Now)));
    }

    [Fact]
    public void Parse_WellFormedText_ReadsTouchesAsUtcMinutes()
    {
        var touches = TouchLog.Parse("29685599:sms;29690550:inapp;29691600:push");

        Assert.Equal(
            [
                new Touch(new DateTimeOffset(2026, 6, 10, 23, 59, 0, TimeSpan.Zero), Channels.Sms),
                new Touch(new DateTimeOffset(2026, 6, 14, 10, 30, 0, TimeSpan.Zero), Channels.InApp),
                new Touch(new DateTimeOffset(2026, 6, 15, 4, 0, 0, TimeSpan.Zero), Channels.Push),
            ],
            touches);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(";")]
    [InlineData(";;;")]
    [InlineData("x:sms")]
    [InlineData("12")]
    [InlineData(":sms")]
    [InlineData("-5:sms")]
    [InlineData("1.5:sms")]
    [InlineData("x:sms;;12")]
    public void Parse_Garbage_ReturnsNoTouches(string? text)
    {
        Assert.Empty(TouchLog.Parse(text));
    }

    [Fact]
    public void Parse_GarbageBetweenValidEntries_KeepsOnlyTheValidOnes()
    {
        var touches = TouchLog.Parse("x:sms;29685599:sms;;12;29691600:push;abc");

        Assert.Equal(
            [
                new Touch(new DateTimeOffset(2026, 6, 10, 23, 59, 0, TimeSpan.Zero), Channels.Sms),
                new Touch(new DateTimeOffset(2026, 6, 15, 4, 0, 0, TimeSpan.Zero), Channels.Push),
            ],
            touches);
    }

    [Fact]
    public void Parse_MinutesPastYear9999_IgnoresEntryWithoutThrowing()
    {
        var touches = TouchLog.Parse("29685599:sms;99999999999999:sms");

        Assert.Equal([new Touch(new DateTimeOffset(2026, 6, 10, 23, 59, 0, TimeSpan.Zero), Channels.Sms)], touches);
    }

    [Fact]
    public void Parse_MinutesOverflowingSeconds_IgnoresEntry()
    {
        var touches = TouchLog.Parse("29685599:sms;9223372036854775807:sms");

        Assert.Equal([new Touch(new DateTimeOffset(2026, 6, 10, 23, 59, 0, TimeSpan.Zero), Channels.Sms)], touches);
    }
}
