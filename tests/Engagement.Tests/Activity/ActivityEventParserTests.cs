using Engagement.Activity;
using Engagement.Messaging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Tests.Activity;

public class ActivityEventParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);

    private ActivityEventParser Parser(ActivityOptions? options = null) => new(Options.Create(options ?? new ActivityOptions()), _time);

    private static string Event(string eventId = "e1", string? userId = "u1", string type = "login", string? amount = null, string occurredAt = "2026-03-01T08:00:00Z", string? category = null) =>
        "{" + string.Join(',', new[]
        {
            $"\"eventId\":\"{eventId}\"",
            userId is null ? null : $"\"userId\":\"{userId}\"",
            $"\"type\":\"{type}\"",
            amount is null ? null : $"\"amount\":{amount}",
            category is null ? null : $"\"category\":\"{category}\"",
            $"\"occurredAt\":\"{occurredAt}\"",
        }.Where(p => p is not null)) + "}";

    private MalformedMessageException Rejects(string json) => Assert.Throws<MalformedMessageException>(() => Parser().Parse(json));

    [Fact]
    public void Parse_SingleObject_ReturnsOneEvent()
    {
        var events = Parser().Parse(Event(eventId: "e1", userId: "u1", type: "purchase", amount: "12.34", category: " Shoes "));

        var e = Assert.Single(events);
        Assert.Equal("e1", e.EventId);
        Assert.Equal("u1", e.UserId);
        Assert.Equal(ActivityType.Purchase, e.Type);
        Assert.Equal(1_234, e.AmountMinor);
        Assert.Equal("shoes", e.Category);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), e.OccurredAt);
    }

    [Fact]
    public void Parse_Array_ReturnsEveryEventInOrder()
    {
        var json = $"[{Event(eventId: "a", type: "login")},{Event(eventId: "b", type: "interaction", category: "books")},{Event(eventId: "c", type: "purchase", amount: "5")}]";

        var events = Parser().Parse(json);

        Assert.Equal(["a", "b", "c"], events.Select(e => e.EventId));
        Assert.Equal([ActivityType.Login, ActivityType.Interaction, ActivityType.Purchase], events.Select(e => e.Type));
        Assert.Equal([0L, 0L, 500L], events.Select(e => e.AmountMinor));
    }

    [Fact]
    public void Parse_AmountOnNonPurchase_IsNotCountedAsSpend()
    {
        var e = Assert.Single(Parser().Parse(Event(type: "login", amount: "3.50")));

        Assert.Equal(0, e.AmountMinor);
    }

    [Fact]
    public void Parse_BadJson_ThrowsNamingInvalidJson()
    {
        var ex = Rejects("{\"eventId\": \"e1\", ");

        Assert.StartsWith("invalid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AmountAsString_ThrowsInvalidJson()
    {
        var ex = Rejects(Event(type: "purchase", amount: "\"12.00\""));

        Assert.Contains("invalid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownType_ThrowsNamingType()
    {
        var ex = Rejects(Event(type: "refund"));

        Assert.Contains("unknown type 'refund'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("event[0] (e1)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingType_ThrowsNamingType()
    {
        var ex = Rejects("{\"eventId\":\"e1\",\"userId\":\"u1\",\"occurredAt\":\"2026-03-01T08:00:00Z\"}");

        Assert.Contains("type is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NegativeAmount_ThrowsNamingAmount()
    {
        var ex = Rejects(Event(type: "purchase", amount: "-5"));

        Assert.Contains("amount -5 is negative", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PurchaseWithoutAmount_ThrowsNamingAmount()
    {
        var ex = Rejects(Event(type: "purchase"));

        Assert.Contains("a purchase needs an amount", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.001")]
    [InlineData("0.005")]
    [InlineData("12.345")]
    public void Parse_AmountWithMoreThanTwoDecimals_ThrowsNamingAmount(string amount)
    {
        var ex = Rejects(Event(type: "purchase", amount: amount));

        Assert.Contains($"amount {amount} has more than two decimal places", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.1", 10)]
    [InlineData("12.30", 1_230)]
    [InlineData("12.300", 1_230)]
    [InlineData("99999.99", 9_999_999)]
    public void Parse_AmountWithAtMostTwoSignificantDecimals_IsConvertedToMinorUnits(string amount, long minor)
    {
        var e = Assert.Single(Parser().Parse(Event(type: "purchase", amount: amount)));

        Assert.Equal(minor, e.AmountMinor);
    }

    [Fact]
    public void Parse_HugeAmount_ThrowsTooLarge()
    {
        var ex = Rejects(Event(type: "purchase", amount: "100000000000000000"));

        Assert.Contains("amount is too large", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OccurredAtBeyondNowPlusMaxFutureSkew_ThrowsNamingOccurredAt()
    {
        var options = new ActivityOptions();
        var at = (Now + options.MaxFutureSkew + TimeSpan.FromSeconds(1)).ToString("O");

        var ex = Rejects(Event(occurredAt: at));

        Assert.Contains("occurredAt", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is in the future", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OccurredAtExactlyNowPlusMaxFutureSkew_IsAccepted()
    {
        var options = new ActivityOptions();
        var at = Now + options.MaxFutureSkew;

        var e = Assert.Single(Parser(options).Parse(Event(occurredAt: at.ToString("O"))));

        Assert.Equal(at, e.OccurredAt);
    }

    [Fact]
    public void Parse_FutureEventOnceClockCatchesUp_IsAccepted()
    {
        var json = Event(occurredAt: (Now + TimeSpan.FromMinutes(15)).ToString("O"));
        var parser = Parser();
        Assert.Throws<MalformedMessageException>(() => parser.Parse(json));

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Single(parser.Parse(json));
    }

    [Fact]
    public void Parse_MissingOccurredAt_ThrowsNamingOccurredAt()
    {
        var ex = Rejects("{\"eventId\":\"e1\",\"userId\":\"u1\",\"type\":\"login\"}");

        Assert.Contains("occurredAt is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingUserId_ThrowsNamingUserId()
    {
        var ex = Rejects(Event(userId: null));

        Assert.Contains("userId is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UserIdWithSlash_ThrowsNamingUserId()
    {
        var ex = Rejects(Event(userId: "tenant/42"));

        Assert.Contains("userId contains '/'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EventIdWithHash_ThrowsNamingEventId()
    {
        var ex = Rejects(Event(eventId: "e#1"));

        Assert.Contains("eventId contains '#'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CategoryWithComma_Throws()
    {
        var ex = Rejects(Event(type: "interaction", category: "a,b"));

        Assert.Contains("category", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyArray_ThrowsNoEvents()
    {
        var ex = Rejects("[]");

        Assert.Equal("the message holds no events", ex.Message);
    }

    [Theory]
    [InlineData("42", "a number")]
    [InlineData("\"an event\"", "a string")]
    [InlineData("\"hello\"", "a string")]
    [InlineData("null", "null")]
    [InlineData("true", "a boolean")]
    public void Parse_NonObjectRoot_ThrowsNamingWhatItGot(string json, string got)
    {
        var ex = Rejects(json);

        Assert.Equal($"expected an event object or an array of events, got {got}", ex.Message);
    }

    [Theory]
    [InlineData("2026-03-01T08:00:00")]
    [InlineData("2026-03-01T08:00:00.123")]
    [InlineData("2026-03-01")]
    public void Parse_OccurredAtWithoutOffset_ThrowsNamingOffset(string occurredAt)
    {
        var ex = Rejects(Event(occurredAt: occurredAt));

        Assert.Contains($"event[0] (e1): occurredAt '{occurredAt}' has no UTC offset", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-03-01T08:00:00Z", 8)]
    [InlineData("2026-03-01T16:00:00+08:00", 8)]
    [InlineData("2026-03-01T03:00:00-05:00", 8)]
    [InlineData("2026-03-01T08:00:00.5+00:00", 8)]
    public void Parse_OccurredAtWithOffset_IsTheInstantItNames(string occurredAt, int utcHour)
    {
        var e = Assert.Single(Parser().Parse(Event(occurredAt: occurredAt)));

        Assert.Equal(utcHour, e.OccurredAt.UtcDateTime.Hour);
        Assert.Equal(new DateOnly(2026, 3, 1), DateOnly.FromDateTime(e.OccurredAt.UtcDateTime));
    }

    [Theory]
    [InlineData(" u1 ")]
    [InlineData(" u1")]
    [InlineData("u1 ")]
    [InlineData("u1\u00a0")]
    public void Parse_UserIdWithSurroundingWhitespace_Throws(string userId)
    {
        var ex = Rejects(Event(userId: userId));

        Assert.Contains("userId has leading or trailing whitespace", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" e1 ")]
    [InlineData("\u3000e1")] // an ideographic space
    [InlineData("e1 ")]
    public void Parse_EventIdWithSurroundingWhitespace_Throws(string eventId)
    {
        var ex = Rejects(Event(eventId: eventId));

        Assert.Contains("eventId has leading or trailing whitespace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IdsWithInnerSpaces_AreKeptAsGiven()
    {
        var e = Assert.Single(Parser().Parse(Event(eventId: "order 42", userId: "user 7")));

        Assert.Equal("order 42", e.EventId);
        Assert.Equal("user 7", e.UserId);
    }

    [Fact]
    public void Validate_AnEventWithSeveralProblems_ListsEveryOne()
    {
        var errors = Parser().Validate(new ActivityEventDto { EventId = " e1", UserId = "", Type = "purchse", Amount = -1, OccurredAt = "2026-03-01T08:00:00" }, out var e);

        Assert.Null(e);
        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, x => x.StartsWith("eventId has leading", StringComparison.Ordinal));
        Assert.Contains(errors, x => x.StartsWith("userId ", StringComparison.Ordinal));
        Assert.Contains(errors, x => x.StartsWith("unknown type 'purchse'", StringComparison.Ordinal));
        Assert.Contains(errors, x => x.Contains("has no UTC offset", StringComparison.Ordinal));
        Assert.Contains(errors, x => x.Contains("is negative", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_AMessageWithABadEvent_NamesEveryProblemOfIt()
    {
        var ex = Assert.Throws<MalformedMessageException>(() => Parser().Parse("""[{"eventId":"e1","userId":"u1","type":"purchase","occurredAt":"2026-03-01T08:00:00"}]"""));

        Assert.Contains("a purchase needs an amount", ex.Message, StringComparison.Ordinal);
        Assert.Contains("has no UTC offset", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CsvRow_RefusesWhatTheQueueRefuses()
    {
        // the CSV back-fill validates each row through the same method as the queue
        var parser = Parser();
        string? Error(string? eventId = "e1", string? userId = "u1", string occurredAt = "2026-03-01T08:00:00Z") =>
            parser.Validate(new ActivityEventDto { EventId = eventId, UserId = userId, Type = "login", OccurredAt = occurredAt }, out _) is { Count: > 0 } errors
                ? string.Join("; ", errors)
                : null;

        Assert.Null(Error());
        Assert.Contains("has no UTC offset", Error(occurredAt: "2026-03-01T08:00:00"), StringComparison.Ordinal);
        Assert.Contains("userId has leading or trailing whitespace", Error(userId: " u1 "), StringComparison.Ordinal);
        Assert.Contains("eventId has leading or trailing whitespace", Error(eventId: "e1 "), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NullInsideArray_ThrowsNamingIndex()
    {
        var ex = Rejects($"[{Event()},null]");

        Assert.Contains("event[1]: is null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OneBadEventInArray_RejectsTheWholeMessageNamingIt()
    {
        var json = $"[{Event(eventId: "good")},{Event(eventId: "bad", type: "purchase")}]";

        var ex = Rejects(json);

        Assert.Contains("event[1] (bad): a purchase needs an amount", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("event[0]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MoreThanMaxEventsPerMessage_Throws()
    {
        var json = "[" + string.Join(',', Enumerable.Range(0, 3).Select(i => Event(eventId: $"e{i}"))) + "]";

        var ex = Assert.Throws<MalformedMessageException>(() => Parser(new ActivityOptions { MaxEventsPerMessage = 2 }).Parse(json));

        Assert.Contains("3 events in one message; at most 2", ex.Message, StringComparison.Ordinal);
    }
}
