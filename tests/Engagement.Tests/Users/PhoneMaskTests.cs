using Engagement.Users;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Users;

public sealed class PhoneMaskTests
{
    [Theory]
    [InlineData("+8613900130002", "+861********02")]
    [InlineData("{\"From\":\"+14155550199\",\"Body\":\"STOP\"}", "{\"From\":\"+141******99\",\"Body\":\"STOP\"}")]
    [InlineData("no number, 2026-11-25T12:30:00, e-1001", "no number, 2026-11-25T12:30:00, e-1001")]
    [InlineData("+123", "+123")]
    public void Mask(string text, string expected) => Assert.Equal(expected, PhoneMask.Mask(text));

    [Property]
    public Property NoNumberSurvives_AndTheLengthIsKept() =>
        Prop.ForAll(
            Gen.Choose(7, 15).SelectMany(n => Gen.ArrayOf(Gen.Elements("0123456789".ToCharArray()), n)).Select(d => "+" + new string(d)).ToArbitrary(),
            Gen.Elements("to ", "From=", "{\"To\":\"", "").ToArbitrary(),
            (number, before) =>
            {
                var masked = PhoneMask.Mask(before + number + " end");
                return !masked.Contains(number, StringComparison.Ordinal) && masked.Length == (before + number + " end").Length;
            });
}
