using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Messaging;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Tests.Campaigns;

/// <summary>The trigger's <c>audience.levels</c> (member day) and a channel's <c>fallback</c> (push, else in-app).</summary>
public class TriggerLevelsAndFallbackTests
{
    private readonly CampaignTriggerParser _parser = TestParsers.Default(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));

    private static JsonObject Trigger(JsonNode? levels = null, JsonArray? channels = null)
    {
        var audience = new JsonObject { ["tiers"] = new JsonArray("dormant", "regular") };
        if (levels is not null)
        {
            audience["levels"] = levels;
        }

        return new JsonObject
        {
            ["schemaVersion"] = 1,
            ["campaignId"] = "memberday-2026-12-l1-3",
            ["name"] = "Member day",
            ["audience"] = audience,
            ["channels"] = channels ?? new JsonArray(new JsonObject { ["channel"] = "inapp", ["title"] = "Member day", ["template"] = "Hi {{ tier }}" }),
        };
    }

    private static JsonObject Channel(string channel, bool? fallback = null)
    {
        var c = new JsonObject { ["channel"] = channel, ["template"] = "Your plan waits" };
        if (channel != Channels.Sms)
        {
            c["title"] = "Day 1";
        }

        if (fallback is { } f)
        {
            c["fallback"] = f;
        }

        return c;
    }

    private string Refused(JsonObject trigger) => Assert.Throws<MalformedMessageException>(() => _parser.Parse(trigger.ToJsonString())).Message;

    [Fact]
    public void Levels_Absent_EveryLevel_Given_ARange()
    {
        Assert.Null(_parser.Parse(Trigger().ToJsonString()).Audience.Levels);
        Assert.Equal(new LevelRange(4, 6), _parser.Parse(Trigger(new JsonObject { ["min"] = 4, ["max"] = 6 }).ToJsonString()).Audience.Levels);
        Assert.Equal(new LevelRange(8, 8), _parser.Parse(Trigger(new JsonObject { ["min"] = 8, ["max"] = 8 }).ToJsonString()).Audience.Levels);
    }

    [Theory]
    [InlineData("""{"min":0,"max":3}""", "audience.levels.min 0 is not a level (1-8)")]
    [InlineData("""{"min":1,"max":9}""", "audience.levels.max 9 is not a level (1-8)")]
    [InlineData("""{"max":3}""", "audience.levels.min is required (1-8)")]
    [InlineData("""{"min":6,"max":4}""", "audience.levels: min 6 is above max 4")]
    [InlineData("""{"min":1,"max":3,"band":"a"}""", "unknown property 'audience.levels.band'")]
    public void Levels_Invalid_RefusedNamingTheField(string levels, string error) =>
        Assert.Contains(error, Refused(Trigger(JsonNode.Parse(levels))), StringComparison.Ordinal);

    [Fact]
    public void Levels_NotAnObject_Refused() =>
        Assert.Contains("invalid JSON", Refused(Trigger(JsonValue.Create(3))), StringComparison.Ordinal);

    [Fact]
    public void Audience_UnknownPropertyNextToLevels_StillRefused()
    {
        var trigger = Trigger(new JsonObject { ["min"] = 1, ["max"] = 3 });
        trigger["audience"]!["level"] = 2;
        Assert.Contains("unknown property 'audience.level'", Refused(trigger), StringComparison.Ordinal);
    }

    [Fact]
    public void Fallback_OnALaterChannel_Accepted_OnTheFirst_Refused()
    {
        var trigger = _parser.Parse(Trigger(channels: new JsonArray(Channel("push"), Channel("inapp", fallback: true), Channel("sms", fallback: false))).ToJsonString());
        Assert.Equal([false, true, false], trigger.Channels.Select(c => c.Fallback));

        var refused = Refused(Trigger(channels: new JsonArray(Channel("inapp", fallback: true), Channel("push"))));
        Assert.Contains("channels[0] (inapp).fallback: the first channel cannot be a fallback", refused, StringComparison.Ordinal);
    }

    private static TableEntity User(UserShards shards, string id, object? level) =>
        new(shards.Of(id), id) { [UserEntity.Tier] = "regular", [UserEntity.Level] = level };

    [Fact]
    public async Task Filter_Levels_NarrowTiersAndListedIds_AbsentIsLevelOne()
    {
        var shards = new UserShards(1);
        var audience = new CampaignAudience(["regular"], ["listed"], []) { Levels = new LevelRange(1, 3) };
        TableEntity[] users =
        [
            User(shards, "a-none", null), // no column: level 1
            User(shards, "b-l3", 3),
            User(shards, "c-l4", 4),
            User(shards, "d-l2-long", 2L), // written as Int64 by another writer
            new(shards.Of("listed"), "listed") { [UserEntity.Level] = 7 }, // listed, but out of range
        ];

        var selected = await new AudienceFilter(audience, shards).SelectAsync("s00", users.ToAsyncEnumerable(), "md", 0, CancellationToken.None);

        Assert.Equal(["a-none", "b-l3", "d-l2-long"], selected.Members.Select(m => m.User.RowKey));
        Assert.Empty(selected.UnknownUserIds);
        Assert.Contains(UserEntity.Level, AudienceFilter.Columns);
    }

    private static Recipient Recipient(string? pushToken = null, bool consentPush = true, bool consentInApp = true, string? phone = null, bool smsOptedOut = false) =>
        new("u1", "dormant", phone, pushToken, TimeZoneInfo.Utc, ConsentSms: phone is not null, consentPush, consentInApp, [], SmsOptedOut: smsOptedOut);

    /// <summary>The reasons in channel order, "-" for a channel planned.</summary>
    private static string ReachedBy(IReadOnlyList<ChannelTemplate> channels, Recipient recipient) =>
        string.Join(',', CampaignPlanner.ReachedBy(channels, recipient).Select(r => r ?? "-"));

    private static readonly ChannelTemplate[] PushThenInApp =
        [new(Channels.Push, "t", "T"), new(Channels.InApp, "t", "T") { Fallback = true }];

    [Fact]
    public void ReachedBy_FallbackSkippedOnlyWhenAnEarlierChannelCanReach()
    {
        Assert.Equal("-,reached-by-push", ReachedBy(PushThenInApp, Recipient(pushToken: "tok")));
        Assert.Equal("-,-", ReachedBy(PushThenInApp, Recipient(pushToken: null)));
        Assert.Equal("-,-", ReachedBy(PushThenInApp, Recipient(pushToken: "tok", consentPush: false)));
        Assert.Equal("-,-", ReachedBy(PushThenInApp, Recipient(pushToken: " ")));
    }

    [Fact]
    public void ReachedBy_SmsUsesTheDeliveryRules_AndANonFallbackChannelIsAlwaysPlanned()
    {
        ChannelTemplate[] smsThenInAppThenPush =
            [new(Channels.Sms, "t", null), new(Channels.InApp, "t", "T") { Fallback = true }, new(Channels.Push, "t", "T")];

        Assert.Equal("-,reached-by-sms,-", ReachedBy(smsThenInAppThenPush, Recipient(phone: "+8613800138000", pushToken: "tok")));
        Assert.Equal("-,-,-", ReachedBy(smsThenInAppThenPush, Recipient(phone: "+8613800138000", smsOptedOut: true)));
        Assert.Equal("-,-,-", ReachedBy(smsThenInAppThenPush, Recipient(phone: "12345")));
    }

    [Fact]
    public void ReachedBy_ASecondFallback_NamesTheFirstChannelThatReaches()
    {
        ChannelTemplate[] channels =
            [new(Channels.Push, "t", "T"), new(Channels.InApp, "t", "T") { Fallback = true }, new(Channels.Sms, "t", null) { Fallback = true }];

        Assert.Equal("-,-,reached-by-inapp", ReachedBy(channels, Recipient(pushToken: null)));
        Assert.Equal("-,reached-by-push,reached-by-push", ReachedBy(channels, Recipient(pushToken: "tok")));
        Assert.Equal("-,-,-", ReachedBy(channels, Recipient(pushToken: null, consentInApp: false, phone: "+8613800138000")));
    }
}
