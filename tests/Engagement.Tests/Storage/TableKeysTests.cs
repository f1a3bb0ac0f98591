using Engagement.Storage;

namespace Engagement.Tests.Storage;

public class TableKeysTests
{
    [Theory]
    [InlineData("user-1")]
    [InlineData("13800138000")]
    [InlineData("用户 42")]
    [InlineData("a.b_c-d:e@f")]
    public void IsValid_OrdinaryIds_AreValid(string key)
    {
        Assert.True(TableKeys.IsValid(key, out var error));
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("a/b", "/")]
    [InlineData("a\\b", "\\")]
    [InlineData("a#b", "#")]
    [InlineData("a?b", "?")]
    public void IsValid_ForbiddenCharacter_IsRejectedNamingIt(string key, string character)
    {
        Assert.False(TableKeys.IsValid(key, out var error));
        Assert.Contains($"contains '{character}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a\u0000b", "\\u0000")]
    [InlineData("a\tb", "\\u0009")]
    [InlineData("a\u001fb", "\\u001f")]
    [InlineData("a\u007fb", "\\u007f")]
    [InlineData("a\u0085b", "\\u0085")]
    public void IsValid_ControlCharacter_IsRejectedNamingItsCode(string key, string code)
    {
        Assert.False(TableKeys.IsValid(key, out var error));
        Assert.Contains($"contains '{code}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void IsValid_NullEmptyOrBlank_IsRejected(string? key)
    {
        Assert.False(TableKeys.IsValid(key, out var error));
        Assert.Equal("is empty", error);
    }

    [Fact]
    public void IsValid_TooLong_IsRejected()
    {
        Assert.True(TableKeys.IsValid(new string('x', TableKeys.MaxLength), out _));

        Assert.False(TableKeys.IsValid(new string('x', TableKeys.MaxLength + 1), out var error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }
}
