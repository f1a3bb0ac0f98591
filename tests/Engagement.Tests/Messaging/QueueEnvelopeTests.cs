using System.Text;
using Engagement.Messaging;

namespace Engagement.Tests.Messaging;

public class QueueEnvelopeTests
{
    private static QueueEnvelope Envelope(string body) => new("activity-events", "msg-1", body, 1);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("{\"eventId\":\"e1\"}")]
    [InlineData("[{\"eventId\":\"e1\"}]")]
    [InlineData("{}")]
    public void DecodeBody_PlainJson_ReturnedAsIs(string json)
    {
        Assert.Equal(json, Envelope(json).DecodeBody());
    }

    [Theory]
    [InlineData("  {\"a\":1}")]
    [InlineData("\r\n\t[1,2]\n")]
    public void DecodeBody_WhitespaceLeadingJson_ReturnedAsIs(string json)
    {
        Assert.Equal(json, Envelope(json).DecodeBody());
    }

    [Theory]
    [InlineData("{\"eventId\":\"e1\",\"userId\":\"用户-1\"}")]
    [InlineData("[{\"eventId\":\"e1\"},{\"eventId\":\"e2\"}]")]
    [InlineData("  {\"a\":1}")]
    public void DecodeBody_Base64OfJson_ReturnsDecodedJson(string json)
    {
        Assert.Equal(json, Envelope(Base64(json)).DecodeBody());
    }

    [Fact]
    public void DecodeBody_Base64WithSurroundingWhitespace_ReturnsDecodedJson()
    {
        Assert.Equal("{\"a\":1}", Envelope("\n " + Base64("{\"a\":1}") + " \n").DecodeBody());
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("not json, not base64!")]
    [InlineData("<xml/>")]
    [InlineData("abc")] // not a whole base64 quantum
    public void DecodeBody_Garbage_ThrowsMalformed(string body)
    {
        var ex = Assert.Throws<MalformedMessageException>(() => Envelope(body).DecodeBody());

        Assert.Contains("neither JSON text nor base64-encoded JSON", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"hello\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData(" -1.5e3 ")]
    public void DecodeBody_JsonThatIsNotAnObjectOrArray_ReturnedForTheHandlerToRefuseByName(string json)
    {
        Assert.Equal(json, Envelope(json).DecodeBody());
        Assert.Equal(json, Envelope(Base64(json)).DecodeBody());
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("eventId=e1")]
    [InlineData("42abc")]
    public void DecodeBody_Base64OfNonJson_ThrowsMalformed(string text)
    {
        Assert.Throws<MalformedMessageException>(() => Envelope(Base64(text)).DecodeBody());
    }

    [Fact]
    public void DecodeBody_Base64OfInvalidUtf8_ThrowsMalformed()
    {
        var body = Convert.ToBase64String([(byte)'{', 0xFF, 0xFE, (byte)'}']);

        Assert.Throws<MalformedMessageException>(() => Envelope(body).DecodeBody());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n")]
    public void DecodeBody_Empty_ThrowsMessageIsEmpty(string body)
    {
        var ex = Assert.Throws<MalformedMessageException>(() => Envelope(body).DecodeBody());

        Assert.Equal("the message is empty", ex.Message);
    }
}
