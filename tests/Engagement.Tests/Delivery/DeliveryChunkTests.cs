using System.Text.Json;
using Engagement.Delivery;
using Engagement.Messaging;

namespace Engagement.Tests.Delivery;

public class DeliveryChunkTests
{
    [Fact]
    public void ParseToJson_RoundTrip_PreservesAllFields()
    {
        var chunk = new DeliveryChunk("camp-1", "shard-07", "user-0001", "user-0999", Occurrence: 3);

        var parsed = DeliveryChunk.Parse(chunk.ToJson());

        Assert.Equal(chunk, parsed);
    }

    [Fact]
    public void ToJson_Always_UsesCamelCasePropertyNames()
    {
        var json = new DeliveryChunk("c", "s", "a", "b", 2).ToJson();

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("c", root.GetProperty("campaignId").GetString());
        Assert.Equal("s", root.GetProperty("shard").GetString());
        Assert.Equal("a", root.GetProperty("from").GetString());
        Assert.Equal("b", root.GetProperty("to").GetString());
        Assert.Equal(2, root.GetProperty("occurrence").GetInt32());
    }

    [Fact]
    public void Parse_OccurrenceAbsent_DefaultsToOne()
    {
        var chunk = DeliveryChunk.Parse("""{"campaignId":"c","shard":"s","from":"a","to":"b"}""");

        Assert.Equal(1, chunk.Occurrence);
        Assert.Equal(new DeliveryChunk("c", "s", "a", "b"), chunk);
    }

    [Fact]
    public void Parse_FromEqualsTo_IsAccepted()
    {
        var chunk = DeliveryChunk.Parse("""{"campaignId":"c","shard":"s","from":"u1","to":"u1","occurrence":1}""");

        Assert.Equal("u1", chunk.From);
        Assert.Equal("u1", chunk.To);
    }

    [Theory]
    [InlineData("""{"shard":"s","from":"a","to":"b"}""")]
    [InlineData("""{"campaignId":"c","from":"a","to":"b"}""")]
    [InlineData("""{"campaignId":"c","shard":"s","to":"b"}""")]
    [InlineData("""{"campaignId":"c","shard":"s","from":"a"}""")]
    [InlineData("""{"campaignId":"","shard":"s","from":"a","to":"b"}""")]
    [InlineData("""{"campaignId":"c","shard":"s","from":"a","to":""}""")]
    [InlineData("""{"campaignId":null,"shard":"s","from":"a","to":"b"}""")]
    [InlineData("""{}""")]
    public void Parse_MissingOrEmptyField_ThrowsMalformed(string json)
    {
        var ex = Assert.Throws<MalformedMessageException>(() => DeliveryChunk.Parse(json));

        Assert.Contains("campaignId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("from <= to", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FromAfterTo_ThrowsMalformed()
    {
        var ex = Assert.Throws<MalformedMessageException>(
            () => DeliveryChunk.Parse("""{"campaignId":"c","shard":"s","from":"user-9","to":"user-1"}"""));

        Assert.Contains("from <= to", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FromAfterToOrdinallyButNotCulturally_ThrowsMalformed()
    {
        // culture order puts "a" before "Z"; ordinal ('a' = 0x61 > 'Z' = 0x5A) does not
        Assert.Throws<MalformedMessageException>(
            () => DeliveryChunk.Parse("""{"campaignId":"c","shard":"s","from":"a","to":"Z"}"""));
    }

    [Fact]
    public void Parse_FromBeforeToOrdinallyButNotCulturally_IsAccepted()
    {
        var chunk = DeliveryChunk.Parse("""{"campaignId":"c","shard":"s","from":"Z","to":"a"}""");

        Assert.Equal("Z", chunk.From);
        Assert.Equal("a", chunk.To);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("""{"campaignId":"c","shard":"s","from":"a","to":"b","occurrence":"two"}""")]
    public void Parse_InvalidJson_ThrowsMalformedWrappingJsonException(string json)
    {
        var ex = Assert.Throws<MalformedMessageException>(() => DeliveryChunk.Parse(json));

        Assert.StartsWith("invalid JSON", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Fact]
    public void Parse_JsonNull_ThrowsMalformed()
    {
        var ex = Assert.Throws<MalformedMessageException>(() => DeliveryChunk.Parse("null"));

        Assert.Contains("campaignId", ex.Message, StringComparison.Ordinal);
    }
}
