using Engagement.Delivery;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Delivery;

public class SmsTextTests
{
    private static readonly SmsOptions Defaults = new();

    private const string Emoji = "\U0001F600"; // 😀, a surrogate pair

    private static int Segments(string text) => SmsText.Measure(text).Segments;

    [Fact]
    public void Compose_ChineseNumber_PutsSignatureFirstAndChineseOptOutLast()
    {
        var body = SmsText.Compose("双十一大促", "+8613800138000", Defaults);

        Assert.Equal("【Brand】双十一大促 回T退订", body.Text);
        Assert.Equal(SmsEncoding.Ucs2, body.Encoding);
        Assert.Equal(1, body.Segments);
    }

    [Fact]
    public void Compose_OtherNumber_PutsSignatureFirstAndStopLineLast()
    {
        var body = SmsText.Compose("Sale today", "+14155550100", Defaults);

        Assert.Equal("【Brand】Sale today Reply STOP to opt out", body.Text);
        Assert.DoesNotContain("回T退订", body.Text);
    }

    [Fact]
    public void Compose_NoPhone_UsesDefaultOptOutLine()
    {
        var body = SmsText.Compose("Sale", null, Defaults);

        Assert.EndsWith("Reply STOP to opt out", body.Text);
    }

    [Fact]
    public void Compose_NumberContaining86NotAsCountryCode_UsesDefaultOptOutLine()
    {
        var body = SmsText.Compose("Sale", "+1868555010", Defaults);

        Assert.EndsWith("Reply STOP to opt out", body.Text);
    }

    [Fact]
    public void Compose_OptOutAlreadyPresent_DoesNotAddItAgain()
    {
        var cn = SmsText.Compose("大促 回T退订", "+8613800138000", Defaults);
        var other = SmsText.Compose("Sale. Reply STOP to opt out", "+14155550100", Defaults);

        Assert.Equal("【Brand】大促 回T退订", cn.Text);
        Assert.Equal("【Brand】Sale. Reply STOP to opt out", other.Text);
    }

    [Fact]
    public void Compose_RenderedEndsWithWhitespace_AddsNoExtraSpace()
    {
        var body = SmsText.Compose("Sale\n", "+14155550100", Defaults);

        Assert.Equal("【Brand】Sale\nReply STOP to opt out", body.Text);
    }

    [Fact]
    public void Compose_NoSignatureAndGsmText_CountsGsmSegments()
    {
        var options = new SmsOptions { BrandSignature = "" };

        var body = SmsText.Compose(new string('a', 138), "+14155550100", options);

        // 138 + " " + 21 = 160 septets: exactly one part
        Assert.Equal(160, body.Text.Length);
        Assert.Equal((SmsEncoding.Gsm7, 1), (body.Encoding, body.Segments));
        Assert.Equal(2, SmsText.Compose(new string('a', 139), "+14155550100", options).Segments);
    }

    [Fact]
    public void Compose_EmptyOptOutLines_AddsNothing()
    {
        var options = new SmsOptions { BrandSignature = "", OptOutLine = "", OptOutLineCn = "" };

        Assert.Equal("Sale", SmsText.Compose("Sale", "+8613800138000", options).Text);
        Assert.Equal("Sale", SmsText.Compose("Sale", "+14155550100", options).Text);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void Measure_GsmText_Uses160Then153SeptetsPerPart(int length, int segments)
    {
        Assert.Equal((SmsEncoding.Gsm7, segments), SmsText.Measure(new string('a', length)));
    }

    [Fact]
    public void Measure_Empty_IsOneGsmSegment()
    {
        Assert.Equal((SmsEncoding.Gsm7, 1), SmsText.Measure(""));
    }

    [Fact]
    public void Measure_GsmBasicNonAscii_StaysGsm()
    {
        Assert.Equal(SmsEncoding.Gsm7, SmsText.Measure("£ ¥ è é Ä ö Ñ ü à ß Δ Ω @ _ § ¿ ¡ \r\n").Encoding);
    }

    [Theory]
    [InlineData('€', 80, 1)]
    [InlineData('€', 81, 2)]
    [InlineData('{', 80, 1)]
    [InlineData('{', 81, 2)]
    [InlineData('[', 152, 2)]
    [InlineData('[', 153, 3)]
    [InlineData('|', 154, 3)]
    public void Measure_ExtensionChars_CountTwoSeptets(char c, int count, int segments)
    {
        Assert.Equal((SmsEncoding.Gsm7, segments), SmsText.Measure(new string(c, count)));
    }

    [Fact]
    public void Measure_ExtensionCharAtPartBoundary_MovesToNextPart()
    {
        // 152 + 2 + 152 = 306 septets; naive packing gives 2 parts, but '€' cannot straddle parts 1 and 2
        var text = new string('a', 152) + "€" + new string('a', 152);

        Assert.Equal((SmsEncoding.Gsm7, 3), SmsText.Measure(text));
        Assert.Equal((SmsEncoding.Gsm7, 2), SmsText.Measure(new string('a', 151) + "€" + new string('a', 153)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    [InlineData(201, 3)]
    [InlineData(202, 4)]
    public void Measure_ChineseText_Uses70Then67UnitsPerPart(int length, int segments)
    {
        Assert.Equal((SmsEncoding.Ucs2, segments), SmsText.Measure(new string('中', length)));
    }

    [Fact]
    public void Measure_OneChineseCharInGsmText_SwitchesToUcs2()
    {
        Assert.Equal((SmsEncoding.Gsm7, 1), SmsText.Measure(new string('a', 100)));
        Assert.Equal((SmsEncoding.Ucs2, 2), SmsText.Measure(new string('a', 99) + "中"));
    }

    [Fact]
    public void Measure_EmojiAtPartBoundary_IsNotSplit()
    {
        // 66 units, then the pair would take units 67-68: it moves to part 2 (66 units), leaving 68 for part 2 -> 3 parts.
        var text = "中" + new string('a', 65) + Emoji + new string('a', 66);

        Assert.Equal(134, text.Length);
        Assert.Equal((SmsEncoding.Ucs2, 3), SmsText.Measure(text));
    }

    [Fact]
    public void Measure_EmojiEndingExactlyAtPartBoundary_StaysInPart()
    {
        var text = "中" + new string('a', 64) + Emoji + new string('a', 67);

        Assert.Equal(134, text.Length);
        Assert.Equal((SmsEncoding.Ucs2, 2), SmsText.Measure(text));
    }

    [Fact]
    public void Measure_SeventyUnitsWithEmoji_IsOneSegment()
    {
        var text = Emoji + new string('a', 68);

        Assert.Equal((SmsEncoding.Ucs2, 1), SmsText.Measure(text));
        Assert.Equal((SmsEncoding.Ucs2, 2), SmsText.Measure(text + "a"));
    }

    // A small alphabet: GSM basic, GSM extension, Chinese, and an emoji (two UTF-16 units).
    private static readonly string[] Alphabet = ["a", "Z", " ", "é", "€", "{", "中", Emoji];

    private static readonly Gen<string> Token = Gen.Frequency(
        (6, Gen.Elements("a", "Z", " ", "é")),
        (2, Gen.Elements("€", "{")),
        (1, Gen.Elements("中", Emoji)));

    private static readonly Arbitrary<string> AnyText = Arb.From(
        Gen.OneOf(
            Gen.Choose(0, 400).SelectMany(n => Token.ArrayOf(n)),
            Gen.Choose(0, 400).SelectMany(n => Gen.Elements(Alphabet).ArrayOf(n)))
        .Select(tokens => string.Concat(tokens)));

    private static bool IsGsm(string text) => text.All(c => c is not ('中' or '\uD83D' or '\uDE00'));

    private static int Septets(string text) => text.Sum(c => c is '€' or '{' ? 2 : 1);

    [Property(MaxTest = 300)]
    public Property Measure_AnyText_OneSegmentExactlyWhenItFits() =>
        Prop.ForAll(AnyText, text =>
        {
            var (encoding, segments) = SmsText.Measure(text);
            var gsm = IsGsm(text);

            Assert.Equal(gsm ? SmsEncoding.Gsm7 : SmsEncoding.Ucs2, encoding);
            Assert.True(segments >= 1);
            Assert.Equal((gsm && Septets(text) <= 160) || (!gsm && text.Length <= 70), segments == 1);
        });

    [Property(MaxTest = 300)]
    public Property Measure_AnyTextPlusOneChar_NeverFewerSegments() =>
        Prop.ForAll(AnyText, Arb.From(Gen.Elements(Alphabet)), (text, next) =>
            Assert.True(Segments(text + next) >= Segments(text), $"'{next}' appended to {text.Length} chars"));

    [Property(MaxTest = 300)]
    public Property Measure_AnyText_SegmentsWithinCapacityBounds() =>
        Prop.ForAll(AnyText, text =>
        {
            var (encoding, segments) = SmsText.Measure(text);
            if (segments == 1)
            {
                return;
            }

            // each part is at least its capacity minus one unit of the widest character, and no more than its capacity
            var (size, perPart, widest) = encoding == SmsEncoding.Gsm7 ? (Septets(text), 153, 2) : (text.Length, 67, 2);
            Assert.InRange(size, ((segments - 1) * (perPart - widest + 1)) + 1, segments * perPart);
        });
}
