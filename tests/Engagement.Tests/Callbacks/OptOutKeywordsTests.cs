using Engagement.Callbacks;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Callbacks;

public sealed class OptOutKeywordsTests
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
    public void Keywords_AreOptOuts(string body) => Assert.True(OptOutKeywords.IsOptOut(body));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("please don't stop the discounts")]
    [InlineData("STOP IT")]
    [InlineData("Thanks")]
    [InlineData("好的")]
    [InlineData("START")]
    public void OtherMessages_AreNot(string? body) => Assert.False(OptOutKeywords.IsOptOut(body));

    [Property]
    public Property AKeywordInsideASentence_IsNotAnOptOut() =>
        Prop.ForAll(
            Gen.Elements("STOP", "退订", "T", "UNSUBSCRIBE").ToArbitrary(),
            Gen.Elements("I will not ", "why ", "好的 ").ToArbitrary(),
            (keyword, before) => !OptOutKeywords.IsOptOut(before + keyword + " later"));

    [Property]
    public Property CaseAndSurroundingSpace_DoNotMatter() =>
        Prop.ForAll(
            Gen.Elements("stop", "Stop", "sToP", "unsubscribe", "Cancel", "td").ToArbitrary(),
            Gen.Elements("", " ", "  ", "\t", "\n").ToArbitrary(),
            (keyword, pad) => OptOutKeywords.IsOptOut(pad + keyword + pad));
}
