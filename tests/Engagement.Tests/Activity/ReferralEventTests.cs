using Engagement.Activity;
using Engagement.Messaging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Tests.Activity;

/// <summary>The <c>referral</c> activity event: who invited the user, checked like any other field of the contract.</summary>
public class ReferralEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ActivityEventParser _parser = new(Options.Create(new ActivityOptions()), new FakeTimeProvider(Now));

    private static string Referral(string userId = "friend-1", string? referrer = "\"alice\"", string type = "referral", string extra = "") =>
        $"{{\"eventId\":\"r1\",\"userId\":\"{userId}\",\"type\":\"{type}\"{(referrer is null ? "" : $",\"referrer\":{referrer}")}{extra},\"occurredAt\":\"2026-03-01T08:00:00Z\"}}";

    private string Refused(string json) => Assert.Throws<MalformedMessageException>(() => _parser.Parse(json)).Message;

    [Fact]
    public void Parse_Referral_NamesTheInviteeAsUserAndTheReferrer()
    {
        var e = Assert.Single(_parser.Parse(Referral()));

        Assert.Equal((ActivityType.Referral, "friend-1", "alice", 0L, (string?)null), (e.Type, e.UserId, e.Referrer, e.AmountMinor, e.Category));
    }

    [Fact]
    public void Parse_SelfReferral_IsRefusedNamingIt()
    {
        Assert.Contains("event[0] (r1): self-referral: referrer 'alice' is the userId", Refused(Referral(userId: "alice")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "a referral needs a referrer")]
    [InlineData("\"\"", "referrer is empty")]
    [InlineData("\"a/b\"", "referrer contains '/'")]
    [InlineData("\" alice\"", "referrer has leading or trailing whitespace")]
    public void Parse_ReferralWithoutAUsableReferrer_IsRefused(string? referrer, string error)
    {
        Assert.Contains(error, Refused(Referral(referrer: referrer)), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReferrerOnAnotherType_IsRefused()
    {
        Assert.Contains("referrer is only allowed on a referral", Refused(Referral(type: "login")), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReferralWithACategory_IsRefused()
    {
        Assert.Contains("a referral has no category", Refused(Referral(extra: ",\"category\":\"books\"")), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownType_ListsReferralAmongTheTypes()
    {
        Assert.Contains("unknown type 'signup' (login|interaction|purchase|referral|content_open|content_click)", Refused(Referral(type: "signup", referrer: null)), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_Referral_IsAnActiveDayWithoutSpendOrInterest()
    {
        var a = new ActivityAggregate();
        var e = new ActivityEvent("r1", "friend-1", ActivityType.Referral, 0, null, Now, "alice");

        Assert.Equal(ApplyOutcome.Applied, a.Apply(e, 100));
        Assert.True(a.IsActiveOn(100));
        Assert.Empty(a.Purchases);
        Assert.Empty(a.Categories);
        Assert.Equal(ApplyOutcome.Repeat, a.Apply(e, 100));
    }

    [Fact]
    public void Apply_TheSameIdNamingAnotherReferrer_IsAConflict()
    {
        var a = new ActivityAggregate();
        var first = new ActivityEvent("r1", "friend-1", ActivityType.Referral, 0, null, Now, "alice");
        a.Apply(first, 100);

        Assert.Equal(ApplyOutcome.Conflict, a.Apply(first with { Referrer = "bob" }, 100));
    }

    [Fact]
    public void Fingerprint_OfEventsWithoutAReferrer_IsUnchanged()
    {
        // stored SeenIds keep their fingerprints: a login hashes as it did before referrals existed
        var login = new ActivityEvent("e1", "u1", ActivityType.Login, 0, "books", Now);
        Assert.Equal(0x5C1407B4u, SeenEvents.Fingerprint(login)); // the value before the referrer was added to the body
    }
}
