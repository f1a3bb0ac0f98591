using Engagement.Tests.Storage;
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

    private static async Task<FormatException> RefusedAsync(UnreachableStorage storage, string csv)
    {
        var refused = await Assert.ThrowsAnyAsync<FormatException>(() =>
            storage.Get<UserCsvImport>().ImportAsync(new StringReader(csv), "CN", null, CancellationToken.None));
        Assert.Equal(0, storage.Requests); // refused from the header alone: nothing written, nothing even read
        return refused;
    }

    [Fact]
    public async Task ImportAsync_MisspelledConsentColumn_RefusesTheFileNamingItAndTheNearestColumn()
    {
        using var storage = new UnreachableStorage();

        var refused = await RefusedAsync(storage, "user_id,consent_sm\nu1,no\n");

        Assert.Contains("'consent_sm'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'consent_sms'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("user_id,phone,push_token,time_zone,consent_sms,consent_push,consent_inapp,interests,registered_on", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_SeveralMisspelledColumns_NamesEveryOne()
    {
        using var storage = new UnreachableStorage();

        var refused = await RefusedAsync(storage, "user_id,phnoe,timezone,consent_inap\nu1,13800138000,Asia/Shanghai,false\n");

        Assert.Contains("'phnoe' (did you mean 'phone'?)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'timezone' (did you mean 'time_zone'?)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'consent_inap' (did you mean 'consent_inapp'?)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_NoUserIdColumn_RefusesTheFileNamingTheMissingColumn()
    {
        using var storage = new UnreachableStorage();

        var refused = await RefusedAsync(storage, "userid,phone\nu1,13800138000\n");

        Assert.Contains("missing required column 'user_id'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'userid' (did you mean 'user_id'?)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_BadRow_ListsEveryErrorOfTheRow()
    {
        using var storage = new UnreachableStorage();
        const string csv = """
            user_id,phone,time_zone,consent_sms,consent_push,consent_inapp,registered_on
            u1,12345,Mars/Olympus,maybe,yes,si,someday
            """;

        var report = await storage.Get<UserCsvImport>().ImportAsync(new StringReader(csv), "CN", null, CancellationToken.None);

        var (line, error) = Assert.Single(report.Rejected);
        Assert.Equal(2, line);
        Assert.Contains("phone is not a valid number", error, StringComparison.Ordinal);
        Assert.DoesNotContain("12345", error, StringComparison.Ordinal); // rejected rows are printed: no numbers in them
        Assert.Contains("time_zone 'Mars/Olympus'", error, StringComparison.Ordinal);
        Assert.Contains("consent_sms 'maybe'", error, StringComparison.Ordinal);
        Assert.Contains("consent_inapp 'si'", error, StringComparison.Ordinal);
        Assert.Contains("registered_on 'someday'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("consent_push", error, StringComparison.Ordinal);
        Assert.Equal(0, report.Imported);
        Assert.Equal(0, storage.Requests); // no good row: nothing to write
    }

    private static async Task<List<UserCsvRow>> RowsAsync(string csv)
    {
        var rows = new List<UserCsvRow>();
        await foreach (var row in UserCsvImport.ReadAsync(new StringReader(csv), "CN", CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task ReadAsync_EmptyCellsAndMissingColumns_StateNothing()
    {
        var rows = await RowsAsync("""
            User_ID , consent_sms,consent_push,consent_inapp,phone
            u1,,,,
            u2,no,YES,0,138 0013 8000
            """);

        Assert.Equal(["u1", "u2"], rows.Select(r => r.UserId));
        Assert.All(rows, r => Assert.Empty(r.Errors));
        // an empty consent cell is neither a yes nor a no: the import leaves it to what the user said before
        Assert.Equal([UserEntity.Source], rows[0].Columns.Keys);
        Assert.Equal(false, rows[1].Columns[UserEntity.ConsentSms]);
        Assert.Equal(true, rows[1].Columns[UserEntity.ConsentPush]);
        Assert.Equal(false, rows[1].Columns[UserEntity.ConsentInApp]);
        Assert.Equal("+8613800138000", rows[1].Columns[UserEntity.Phone]);
        Assert.False(rows[1].Columns.ContainsKey(UserEntity.TimeZone)); // not a column of this file
    }

    [Fact]
    public async Task ReadAsync_PaddedUserId_IsRefusedWhilePaddedValuesAreRead()
    {
        // " u1 " would be another user than "u1" (ids compare ordinally), so it is refused, never trimmed
        var rows = await RowsAsync("user_id,consent_sms,time_zone\n u1 , yes , Asia/Shanghai \nu2, no ,\n");

        Assert.Equal("user_id has leading or trailing whitespace", Assert.Single(rows[0].Errors));
        Assert.Empty(rows[1].Errors);
        Assert.Equal(false, rows[1].Columns[UserEntity.ConsentSms]);
    }
}
