using Engagement.Activity;
using Engagement.Imports;
using Engagement.Ingest;
using Engagement.Users;

namespace Engagement.IntegrationTests.Activity;

public sealed class CsvImportTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private static readonly int Mar31 = new DateOnly(2026, 3, 31).DayNumber;

    private UserStore Users => fixture.Engine.Get<UserStore>();

    private async Task<UserRecord> UserAsync(string userId) =>
        await Users.GetAsync(userId, TestEngine.Deadline()) ?? throw new Xunit.Sdk.XunitException($"user {userId} was not stored");

    [Fact]
    public async Task ActivityImport_BadRow_IsReportedByLineAndGoodRowsApply_ReimportCountsNothingTwice()
    {
        const string csv = """
            event_id,user_id,type,amount,category,occurred_at
            csv-a-p1,csv-a,purchase,12.50,toys,2026-03-30T10:00:00+08:00
            csv-a-l1,csv-a,login,,,2026-03-31T09:00:00+08:00
            csv-b-p1,csv-b,purchase,abc,,2026-03-31T09:00:00+08:00
            csv-b-p2,csv-b,purchase,3.00,,2026-03-31T11:00:00+08:00
            csv-c-x1,csv-c,refund,1.00,,2026-03-31T11:00:00+08:00
            """;
        var import = fixture.Engine.Get<ActivityCsvImport>();

        var report = await import.ImportAsync(new StringReader(csv), null, TestEngine.Deadline());

        Assert.Equal(5, report.Rows);
        Assert.Equal(3, report.Imported);
        Assert.Collection(
            report.Rejected,
            r =>
            {
                Assert.Equal(4, r.Line); // the header is line 1
                Assert.Contains("amount 'abc' is not a number", r.Error, StringComparison.Ordinal);
            },
            r =>
            {
                Assert.Equal(6, r.Line);
                Assert.Contains("unknown type 'refund'", r.Error, StringComparison.Ordinal);
            });

        var a = await UserAsync("csv-a");
        Assert.Equal(1250, a.Activity.SpendIn(Mar31, 7));
        Assert.Equal(2, a.Activity.ActiveDaysIn(Mar31, 7));
        Assert.Equal(300, (await UserAsync("csv-b")).Activity.SpendIn(Mar31, 7));
        Assert.Null(await Users.GetAsync("csv-c", TestEngine.Deadline()));

        var again = await import.ImportAsync(new StringReader(csv), null, TestEngine.Deadline());

        Assert.Equal(3, again.Imported);
        Assert.Equal(1250, (await UserAsync("csv-a")).Activity.SpendIn(Mar31, 7));
        Assert.Equal(300, (await UserAsync("csv-b")).Activity.SpendIn(Mar31, 7));
    }

    [Fact]
    public async Task UserImport_NormalisesPhonesAndRejectsAnInvalidOne()
    {
        const string csv = """
            user_id,phone,push_token,time_zone,consent_sms,consent_push,consent_inapp,interests,registered_on
            imp-1,13800138000,tok-1,Asia/Shanghai,yes,no,,fitness,2025-06-01
            imp-2,12345,,,,,,,
            imp-3,+44 20 7946 0958,,Europe/London,1,1,0,,
            imp-4,,,Mars/Olympus,,,,,
            """;
        var import = fixture.Engine.Get<UserCsvImport>();

        var report = await import.ImportAsync(new StringReader(csv), "CN", null, TestEngine.Deadline());

        Assert.Equal(4, report.Rows);
        Assert.Equal(2, report.Imported);
        Assert.Collection(
            report.Rejected,
            r =>
            {
                Assert.Equal(3, r.Line);
                Assert.Contains("phone", r.Error, StringComparison.Ordinal);
            },
            r =>
            {
                Assert.Equal(5, r.Line);
                Assert.Contains("Mars/Olympus", r.Error, StringComparison.Ordinal);
            });

        var one = await UserAsync("imp-1");
        Assert.Equal("+8613800138000", one.Profile.Phone);
        Assert.Equal("import", one.Profile.Source);
        Assert.True(one.Profile.ConsentSms);
        Assert.False(one.Profile.ConsentPush);
        Assert.False(one.Profile.ConsentInApp); // an empty cell is no consent for a new user
        Assert.Equal("tok-1", one.Profile.PushToken);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), one.Profile.RegisteredOn);

        var three = await UserAsync("imp-3");
        Assert.Equal("+442079460958", three.Profile.Phone);
        Assert.False(three.Profile.ConsentInApp);

        Assert.Null(await Users.GetAsync("imp-2", TestEngine.Deadline()));
        Assert.Null(await Users.GetAsync("imp-4", TestEngine.Deadline()));
    }

    [Fact]
    public async Task UserImport_AfterActivity_KeepsTheActivity()
    {
        var ingest = fixture.Engine.Get<ActivityIngestHandler>();
        await ingest.IngestAsync(
            [new ActivityEvent("imp-act-p1", "imp-act", ActivityType.Purchase, 999, null, new DateTimeOffset(2026, 3, 31, 10, 0, 0, TimeSpan.FromHours(8)))],
            TestEngine.Deadline());

        var report = await fixture.Engine.Get<UserCsvImport>().ImportAsync(
            new StringReader("user_id,phone,consent_sms\nimp-act,13900139000,true\n"), "CN", null, TestEngine.Deadline());

        Assert.Empty(report.Rejected);
        var stored = await UserAsync("imp-act");
        Assert.Equal("+8613900139000", stored.Profile.Phone);
        Assert.True(stored.Profile.ConsentSms);
        Assert.Equal("import", stored.Profile.Source);
        Assert.Equal(999, stored.Activity.SpendIn(Mar31, 1));
    }

    private Task<ImportReport> ImportUsersAsync(string csv) =>
        fixture.Engine.Get<UserCsvImport>().ImportAsync(new StringReader(csv), "CN", null, TestEngine.Deadline());

    [Fact]
    public async Task UserImport_MisspelledColumns_RefuseTheFileAndLeaveAnExistingUserAsItWas()
    {
        var seeded = await ImportUsersAsync("user_id,phone,time_zone,consent_sms,consent_push,consent_inapp\nimp-keep,13800138001,Asia/Shanghai,yes,yes,yes\n");
        Assert.Equal(1, seeded.Imported);

        await Assert.ThrowsAnyAsync<FormatException>(() => ImportUsersAsync("user_id,consent_sm\nimp-keep,no\n"));
        await Assert.ThrowsAnyAsync<FormatException>(() => ImportUsersAsync("user_id,phnoe,timezone,consent_inap\nimp-keep,13900139001,Europe/London,false\n"));

        var kept = (await UserAsync("imp-keep")).Profile;
        Assert.True(kept.ConsentSms);
        Assert.True(kept.ConsentPush);
        Assert.True(kept.ConsentInApp);
        Assert.Equal("+8613800138001", kept.Phone);
        Assert.Equal("Asia/Shanghai", kept.TimeZone);
    }

    [Fact]
    public async Task UserImport_EmptyConsentCells_KeepAnExistingUsersAnswerAndGiveANewUserNoConsent()
    {
        await ImportUsersAsync("user_id,phone,time_zone,consent_sms,consent_push,consent_inapp\nimp-old,13800138002,Asia/Shanghai,yes,yes,yes\nimp-no,,,no,no,no\n");

        var report = await ImportUsersAsync("""
            user_id,phone,time_zone,consent_sms,consent_push,consent_inapp
            imp-old,,,,,
            imp-no,,,,,
            imp-fresh,13800138003,,,,
            imp-said,,,no,,
            """);
        var bare = await ImportUsersAsync("user_id,interests\nimp-bare,fitness\n"); // no consent columns at all

        Assert.Equal(4, report.Imported);
        Assert.Equal(1, bare.Imported);
        var old = (await UserAsync("imp-old")).Profile;
        Assert.Equal((true, true, true), (old.ConsentSms, old.ConsentPush, old.ConsentInApp));
        Assert.Equal("+8613800138002", old.Phone); // an empty cell changes nothing
        Assert.Equal("Asia/Shanghai", old.TimeZone);
        var no = (await UserAsync("imp-no")).Profile;
        Assert.Equal((false, false, false), (no.ConsentSms, no.ConsentPush, no.ConsentInApp));
        foreach (var id in new[] { "imp-fresh", "imp-said", "imp-bare" })
        {
            var fresh = (await UserAsync(id)).Profile;
            Assert.Equal((false, false, false), (fresh.ConsentSms, fresh.ConsentPush, fresh.ConsentInApp));
        }
    }
}
