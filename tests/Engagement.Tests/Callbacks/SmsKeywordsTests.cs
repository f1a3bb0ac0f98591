using Engagement.Callbacks;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Callbacks;

public sealed class SmsKeywordsTests
{
    [Theory]
    [InlineData("STOP")]
    [InlineData("stop")]
    [InlineData("  Stop.  ")]
    [InlineData("ＳＴＯＰ")] // full-width, as Chinese keyboards type it
    [InlineData("unsubscribe")]
    [InlineData("退订")]
    [InlineData("退订！")]
    [InlineData("T")]
    [InlineData("td")]
    [InlineData("Ｔ")]
    public void Keywords_AreOptOuts(string body) => Assert.True(SmsKeywords.IsOptOut(body));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("please don't stop the discounts")]
    [InlineData("STOP IT")]
    [InlineData("Thanks")]
    [InlineData("好的")]
    [InlineData("START")]
    public void OtherMessages_AreNot(string? body) => Assert.False(SmsKeywords.IsOptOut(body));

    [Theory]
    [InlineData("START", true)]
    [InlineData(" unstop ", true)]
    [InlineData("Yes!", true)]
    [InlineData("ＳＴＡＲＴ", true)]
    [InlineData("STOP", false)]
    [InlineData("yes please send more", false)]
    public void OptIn(string body, bool expected) => Assert.Equal(expected, SmsKeywords.IsOptIn(body));

    [Property]
    public Property AKeywordInsideASentence_IsNotAnOptOut() =>
        Prop.ForAll(
            Gen.Elements("STOP", "退订", "T", "UNSUBSCRIBE").ToArbitrary(),
            Gen.Elements("I will not ", "why ", "好的 ").ToArbitrary(),
            (keyword, before) => !SmsKeywords.IsOptOut(before + keyword + " later"));

    [Property]
    public Property CaseAndSurroundingSpace_DoNotMatter() =>
        Prop.ForAll(
            Gen.Elements("stop", "Stop", "sToP", "unsubscribe", "Cancel", "td").ToArbitrary(),
            Gen.Elements("", " ", "  ", "\t", "\n").ToArbitrary(),
            (keyword, pad) => SmsKeywords.IsOptOut(pad + keyword + pad));
}
