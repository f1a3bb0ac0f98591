using Engagement.Activity;
using Engagement.Imports;

namespace Engagement.Tests.Activity;

public class CsvHeaderTests
{
    private static readonly string[] Known = ["user_id", "phone", "consent_sms"];

    private static readonly string[] Required = ["user_id"];

    [Fact]
    public void Check_KnownColumnsInAnyCaseAndOrder_AreAccepted()
    {
        var header = CsvHeader.Check([" Phone", "USER_ID "], Known, Required);

        Assert.True(header.Has("phone"));
        Assert.True(header.Has("user_id"));
        Assert.False(header.Has("consent_sms"));
    }

    [Fact]
    public void Check_RepeatedColumn_RefusesTheFile()
    {
        var refused = Assert.Throws<CsvHeaderException>(() => CsvHeader.Check(["user_id", "phone", "Phone"], Known, Required));

        Assert.Contains("column 'phone' appears 2 times", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NoHeader_RefusesTheFileWithTheExpectedColumns()
    {
        foreach (var header in new[] { null, Array.Empty<string>() })
        {
            var refused = Assert.Throws<CsvHeaderException>(() => CsvHeader.Check(header, Known, Required));

            Assert.Contains("no header row", refused.Message, StringComparison.Ordinal);
            Assert.Contains("user_id,phone,consent_sms", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_UnrelatedOrNamelessColumn_IsNamedWithoutAGuess()
    {
        var refused = Assert.Throws<CsvHeaderException>(() => CsvHeader.Check(["user_id", "email", ""], Known, Required));

        Assert.Contains("unknown columns 'email', ''", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("did you mean", refused.Message, StringComparison.Ordinal); // nothing close enough to suggest
        Assert.Contains("a column without a name", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("phone", "phone", 0)]
    [InlineData("phnoe", "phone", 1)] // swapped neighbours count once
    [InlineData("timezone", "time_zone", 1)]
    [InlineData("email", "phone", 5)]
    public void Distance_CountsEdits(string a, string b, int expected)
    {
        Assert.Equal(expected, CsvHeader.Distance(a, b));
    }
}
