using Engagement.Users;

namespace Engagement.Tests.Users;

public class UserCsvImportTests
{
    [Theory]
    [InlineData("13800138000", "CN", "+8613800138000")]
    [InlineData("138 0013 8000", "CN", "+8613800138000")]
    [InlineData("+86 138-0013-8000", "US", "+8613800138000")]
    [InlineData("+1 650-253-0000", "CN", "+16502530000")]
    [InlineData("(650) 253-0000", "US", "+16502530000")]
    public void NormalizePhone_ValidNumber_ReturnsE164(string raw, string region, string expected)
    {
        Assert.Equal(expected, UserCsvImport.NormalizePhone(raw, region));
    }

    [Theory]
    [InlineData("12345", "CN")]
    [InlineData("+1 123-456-7890", "US")] // no US area code starts with 1
    [InlineData("1380013800", "CN")] // a digit short
    public void NormalizePhone_ParsesButInvalid_ReturnsNull(string raw, string region)
    {
        Assert.Null(UserCsvImport.NormalizePhone(raw, region));
    }

    [Theory]
    [InlineData("garbage", "CN")]
    [InlineData("", "CN")]
    [InlineData("+", "US")]
    [InlineData("13800138000", "ZZ")] // no country code and no usable region
    public void NormalizePhone_Garbage_ReturnsNull(string raw, string region)
    {
        Assert.Null(UserCsvImport.NormalizePhone(raw, region));
    }
}
