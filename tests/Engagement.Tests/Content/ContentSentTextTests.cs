using Engagement.Content;

namespace Engagement.Tests.Content;

public sealed class ContentSentTextTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Format_ThenParse_RoundTrips_IdsWithSpacesAndSeparators()
    {
        ContentSend[] sent = [new("recipe 1, with; odd|chars", At.AddDays(-7)), new("run-1", At)];

        var text = ContentSentText.Format(sent);

        Assert.Equal("2026-11-30T02:00:00Z recipe 1, with; odd|chars\n2026-12-07T02:00:00Z run-1", text);
        Assert.Equal(sent, ContentSentText.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Parse_NoColumn_IsNoHistory(string? text) => Assert.Empty(ContentSentText.Parse(text));

    [Fact]
    public void Parse_SkipsALineItCannotRead()
    {
        Assert.Equal([new ContentSend("a", At)], ContentSentText.Parse("garbage\n2026-12-07T02:00:00Z a\n2026-13-07T02:00:00Z b"));
    }

    [Fact]
    public void With_DropsEntriesOlderThanTheWindow_AndKeepsTheSameSendOnce()
    {
        var window = TimeSpan.FromDays(7 * 12);
        ContentSend[] sent = [new("old", At - window), new("young", At - window + TimeSpan.FromSeconds(1)), new("now", At)];

        var after = ContentSentText.With(sent, new ContentSend("now", At), window);

        Assert.Equal(["young", "now"], after.Select(s => s.ItemId));
    }
}
