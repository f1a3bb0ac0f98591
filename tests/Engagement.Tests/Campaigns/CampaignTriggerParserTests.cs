using System.Text.Json.Nodes;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Messaging;
using Engagement.Segmentation;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Tests.Campaigns;

public class CampaignTriggerParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);

    private CampaignTriggerParser Parser(CampaignOptions? options = null, SmsOptions? sms = null) => new(
        new TierClassifier(new SegmentationOptions()),
        new MessageTemplates(),
        Options.Create(sms ?? new SmsOptions()),
        Options.Create(options ?? new CampaignOptions()),
        _time);

    /// <summary>A minimal valid trigger as a mutable JSON tree: tests change one thing and expect one error.</summary>
    private static JsonObject Valid() => new()
    {
        ["schemaVersion"] = 1,
        ["campaignId"] = "bf-2026",
        ["name"] = "Black Friday",
        ["audience"] = new JsonObject { ["tiers"] = new JsonArray("dormant") },
        ["channels"] = new JsonArray(new JsonObject { ["channel"] = "sms", ["template"] = "Hi {{ tier }}, {{ campaign }} is on" }),
    };

    private static JsonArray Channel(string channel, string? template, string? title = null)
    {
        var c = new JsonObject { ["channel"] = channel };
        if (template is not null)
        {
            c["template"] = template;
        }

        if (title is not null)
        {
            c["title"] = title;
        }

        return new JsonArray(c);
    }

    private MalformedMessageException Rejects(string json, CampaignOptions? options = null, SmsOptions? sms = null) =>
        Assert.Throws<MalformedMessageException>(() => Parser(options, sms).Parse(json));

    private MalformedMessageException Rejects(JsonObject trigger, CampaignOptions? options = null, SmsOptions? sms = null) =>
        Rejects(trigger.ToJsonString(), options, sms);

    private MalformedMessageException Rejects(Action<JsonObject> change, CampaignOptions? options = null, SmsOptions? sms = null)
    {
        var trigger = Valid();
        change(trigger);
        return Rejects(trigger, options, sms);
    }

    [Fact]
    public void Parse_MinimalValid_Accepts()
    {
        var trigger = Parser().Parse(Valid().ToJsonString());

        Assert.Equal("bf-2026", trigger.CampaignId);
        Assert.Equal(0, trigger.HoldoutPercent);
        Assert.False(trigger.DryRun);
        Assert.Null(trigger.SendAt);
        Assert.Null(trigger.ExpiresAt);
        Assert.Empty(trigger.Variables);
    }

    [Fact]
    public void Parse_FullTriggerWithCommentsAndTrailingCommas_ReturnsEveryValue()
    {
        const string json = """
            {
              // a producer's note
              "schemaVersion": 1,
              "campaignId": "black-friday.2026_v1",
              "name": "Black Friday",
              "audience": {
                "tiers": ["high-value", "potential", "high-value"],
                "interests": ["fitness", "books"], /* trailing comma next */
              },
              "channels": [
                { "channel": "sms", "template": "Hi {{ tier }} member: {{ campaign }} gives {{ discount }} off" },
                { "channel": "push", "title": "Sale", "template": "{{ campaign }}: {{ discount }} off" },
                { "channel": "inapp", "title": "Sale on", "template": "{{ campaign }} ends {{ expires_at }}", },
              ],
              "sendAt": "2026-11-27T09:00:00+08:00",
              "expiresAt": "2026-11-30T23:59:00-05:00",
              "holdoutPercent": 10,
              "dryRun": true,
              "variables": { "discount": "30%" },
            }
            """;

        var trigger = Parser().Parse(json);

        Assert.Equal("black-friday.2026_v1", trigger.CampaignId);
        Assert.Equal("Black Friday", trigger.Name);
        Assert.Equal(["high-value", "potential"], trigger.Audience.Tiers);
        Assert.Empty(trigger.Audience.UserIds);
        Assert.Equal(["fitness", "books"], trigger.Audience.Interests);
        Assert.Equal(
            [
                new ChannelTemplate("sms", "Hi {{ tier }} member: {{ campaign }} gives {{ discount }} off", null),
                new ChannelTemplate("push", "{{ campaign }}: {{ discount }} off", "Sale"),
                new ChannelTemplate("inapp", "{{ campaign }} ends {{ expires_at }}", "Sale on"),
            ],
            trigger.Channels);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(8)), trigger.SendAt);
        Assert.Equal(TimeSpan.FromHours(8), trigger.SendAt!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 4, 59, 0, TimeSpan.Zero), trigger.ExpiresAt);
        Assert.Equal(TimeSpan.FromHours(-5), trigger.ExpiresAt!.Value.Offset);
        Assert.Equal(10, trigger.HoldoutPercent);
        Assert.True(trigger.DryRun);
        Assert.Equal(new Dictionary<string, string> { ["discount"] = "30%" }, trigger.Variables);
    }

    [Fact]
    public void Parse_UserIdsOnly_AcceptsTrimmedDistinctIds()
    {
        var trigger = Parser().Parse(Valid().Also(t => t["audience"] = new JsonObject { ["userIds"] = new JsonArray(" u1 ", "u2", "u1") }).ToJsonString());

        Assert.Empty(trigger.Audience.Tiers);
        Assert.Equal(["u1", "u2"], trigger.Audience.UserIds);
    }

    [Fact]
    public void Parse_HoldoutBounds_Accepts0And99()
    {
        Assert.Equal(0, Parser().Parse(Valid().Also(t => t["holdoutPercent"] = 0).ToJsonString()).HoldoutPercent);
        Assert.Equal(99, Parser().Parse(Valid().Also(t => t["holdoutPercent"] = 99).ToJsonString()).HoldoutPercent);
    }

    [Fact]
    public void Parse_BadJson_ReportsInvalidJson()
    {
        var ex = Rejects("{\"schemaVersion\": 1, \"campaignId\": ");

        Assert.StartsWith("invalid JSON:", ex.Message);
    }

    [Fact]
    public void Parse_WrongJsonType_ReportsInvalidJson()
    {
        var ex = Rejects(t => t["holdoutPercent"] = "ten");

        Assert.StartsWith("invalid JSON:", ex.Message);
    }

    [Fact]
    public void Parse_JsonArray_ReportsOneObjectExpected()
    {
        var ex = Rejects($"[{Valid().ToJsonString()}]");

        Assert.Contains("a campaign trigger is one JSON object", ex.Message);
    }

    [Fact]
    public void Parse_JsonNull_ReportsOneObjectExpected()
    {
        var ex = Rejects("null");

        Assert.Contains("a campaign trigger is one JSON object", ex.Message);
    }

    [Fact]
    public void Parse_MissingSchemaVersion_ReportsRequired()
    {
        var ex = Rejects(t => t.Remove("schemaVersion"));

        Assert.Contains("schemaVersion is required (1)", ex.Message);
    }

    [Fact]
    public void Parse_UnsupportedSchemaVersion_ReportsNotSupported()
    {
        var ex = Rejects(t => t["schemaVersion"] = 2);

        Assert.Contains("schemaVersion 2 is not supported", ex.Message);
    }

    [Fact]
    public void Parse_MissingCampaignId_ReportsRequired()
    {
        var ex = Rejects(t => t.Remove("campaignId"));

        Assert.Contains("campaignId is required", ex.Message);
        Assert.DoesNotContain("campaign '", ex.Message);
    }

    [Fact]
    public void Parse_CampaignIdWithSlash_ReportsPattern()
    {
        var ex = Rejects(t => t["campaignId"] = "bf/2026");

        Assert.Contains("campaignId must be 1-64 letters, digits", ex.Message);
    }

    [Fact]
    public void Parse_CampaignIdStartingWithDash_ReportsPattern()
    {
        var ex = Rejects(t => t["campaignId"] = "-bf");

        Assert.Contains("campaignId must be 1-64 letters, digits", ex.Message);
    }

    [Fact]
    public void Parse_CampaignIdTooLong_ReportsPattern()
    {
        Parser().Parse(Valid().Also(t => t["campaignId"] = new string('c', 64)).ToJsonString());

        var ex = Rejects(t => t["campaignId"] = new string('c', 65));

        Assert.Contains("campaignId must be 1-64 letters, digits", ex.Message);
        Assert.DoesNotContain("campaign '", ex.Message);
    }

    [Fact]
    public void Parse_AnyError_PrefixesMessageWithCampaignId()
    {
        var ex = Rejects(t => t["holdoutPercent"] = 100);

        Assert.StartsWith("campaign 'bf-2026': ", ex.Message);
    }

    [Fact]
    public void Parse_MissingName_ReportsRequired()
    {
        var ex = Rejects(t => t["name"] = " ");

        Assert.Contains("name is required", ex.Message);
    }

    [Fact]
    public void Parse_UnknownTier_ReportsTierAndKnownTiers()
    {
        var ex = Rejects(t => t["audience"] = new JsonObject { ["tiers"] = new JsonArray("dormant", "vip") });

        Assert.Contains("audience.tiers: unknown tier 'vip' (known: high-value, potential, regular, dormant)", ex.Message);
        Assert.DoesNotContain("'dormant'", ex.Message);
    }

    [Fact]
    public void Parse_UnknownChannel_ReportsChannel()
    {
        var ex = Rejects(t => t["channels"] = Channel("email", "Hi"));

        Assert.Contains("channels[0].channel: unknown channel 'email' (known: sms, push, inapp)", ex.Message);
    }

    [Fact]
    public void Parse_NoChannels_ReportsAtLeastOne()
    {
        var ex = Rejects(t => t["channels"] = new JsonArray());

        Assert.Contains("channels: at least one of sms, push, inapp", ex.Message);
    }

    [Fact]
    public void Parse_ChannelListedTwice_ReportsSecond()
    {
        var ex = Rejects(t => t["channels"] = new JsonArray(
            new JsonObject { ["channel"] = "sms", ["template"] = "one" },
            new JsonObject { ["channel"] = "sms", ["template"] = "two" }));

        Assert.Contains("channels[1] (sms): listed twice", ex.Message);
        Assert.DoesNotContain("channels[0]", ex.Message);
    }

    [Fact]
    public void Parse_MissingTemplate_ReportsRequired()
    {
        var ex = Rejects(t => t["channels"] = Channel("sms", null));

        Assert.Contains("channels[0] (sms).template is required", ex.Message);
    }

    [Fact]
    public void Parse_TemplateTooLong_ReportsLength()
    {
        var ex = Rejects(t => t["channels"] = Channel("push", new string('x', 51), "Sale"), new CampaignOptions { MaxTemplateChars = 50 });

        Assert.Contains("channels[0] (push).template is 51 characters; at most 50", ex.Message);
    }

    [Fact]
    public void Parse_TemplateThatDoesNotParse_ReportsParseError()
    {
        var ex = Rejects(t => t["channels"] = Channel("sms", "Hi {{ tier "));

        Assert.Contains("channels[0] (sms).template does not parse:", ex.Message);
    }

    [Fact]
    public void Parse_TemplateWithUnknownVariable_ReportsRenderFailure()
    {
        var ex = Rejects(t => t["channels"] = Channel("sms", "Hi {{ nmae }}"));

        Assert.Contains("channels[0] (sms).template fails to render a sample:", ex.Message);
        Assert.Contains("nmae", ex.Message);
    }

    [Fact]
    public void Parse_TemplateWithUnknownFilter_ReportsRenderFailure()
    {
        var ex = Rejects(t => t["channels"] = Channel("push", "{{ tier | shout }}", "Sale"));

        Assert.Contains("channels[0] (push).template fails to render a sample:", ex.Message);
        Assert.Contains("shout", ex.Message);
    }

    [Fact]
    public void Parse_TemplateRenderingEmpty_ReportsEmpty()
    {
        var ex = Rejects(t => t["channels"] = Channel("push", "{% if false %}x{% endif %}  ", "Sale"));

        Assert.Contains("channels[0] (push).template renders an empty message", ex.Message);
    }

    [Theory]
    [InlineData("{{ points | divided_by: 0 }}")]
    [InlineData("{% include 'footer' %}")]
    public void Parse_TemplateFailingAtRender_ReportsRenderFailure(string template)
    {
        var ex = Rejects(t => t["channels"] = Channel("sms", template));

        Assert.Contains("channels[0] (sms).template fails to render a sample:", ex.Message);
    }

    [Fact]
    public void Parse_SmsOverLimitOnlyForAudienceTier_Rejects()
    {
        // the sample renders tier "dormant" (7 chars): "dormant" + 58 + " 回T退订" = 70 units, 1 part;
        // every recipient of this campaign is "high-value" (10 chars): 73 units, 2 parts
        var sms = new SmsOptions { BrandSignature = "", MaxSegments = 1 };
        var ex = Rejects(
            t =>
            {
                t["audience"] = new JsonObject { ["tiers"] = new JsonArray("high-value") };
                t["channels"] = Channel("sms", "{{ tier }}" + new string('a', 58));
            },
            sms: sms);

        Assert.Contains("channels[0] (sms).template renders 2 SMS segments", ex.Message);
    }

    [Fact]
    public void Parse_PushWithoutTitle_ReportsTitleRequired()
    {
        var ex = Rejects(t => t["channels"] = Channel("push", "{{ campaign }}"));

        Assert.Contains("channels[0] (push).title is required", ex.Message);
    }

    [Fact]
    public void Parse_InAppWithoutTitle_ReportsTitleRequired()
    {
        var ex = Rejects(t => t["channels"] = Channel("inapp", "{{ campaign }}", " "));

        Assert.Contains("channels[0] (inapp).title is required", ex.Message);
    }

    [Fact]
    public void Parse_ExpiresAtInPast_ReportsExpired()
    {
        var ex = Rejects(t => t["expiresAt"] = "2026-11-25T23:59:59Z");

        Assert.Contains("expired: expiresAt 2026-11-25T23:59:59", ex.Message);
        Assert.Contains("is in the past", ex.Message);
    }

    [Fact]
    public void Parse_ExpiresAtNow_ReportsExpired()
    {
        var ex = Rejects(t => t["expiresAt"] = "2026-11-26T08:00:00+08:00");

        Assert.Contains("expired: expiresAt", ex.Message);
    }

    [Fact]
    public void Parse_SendAtAfterExpiresAt_ReportsOrder()
    {
        var ex = Rejects(t =>
        {
            t["sendAt"] = "2026-12-02T10:00:00+08:00";
            t["expiresAt"] = "2026-12-01T10:00:00+08:00";
        });

        Assert.Contains("sendAt must be before expiresAt", ex.Message);
    }

    [Fact]
    public void Parse_SendAtEqualToExpiresAtInOtherOffset_ReportsOrder()
    {
        var ex = Rejects(t =>
        {
            t["sendAt"] = "2026-12-01T10:00:00+08:00";
            t["expiresAt"] = "2026-12-01T02:00:00Z";
        });

        Assert.Contains("sendAt must be before expiresAt", ex.Message);
    }

    [Theory]
    [InlineData("sendAt", "2026-12-01T10:00:00")]
    [InlineData("expiresAt", "2026-12-01T10:00:00")]
    [InlineData("sendAt", "2026-12-01")]
    [InlineData("sendAt", "next tuesday")]
    public void Parse_TimestampWithoutOffset_ReportsOffsetRequired(string field, string value)
    {
        var ex = Rejects(t => t[field] = value);

        Assert.Contains($"{field} '{value}' is not an ISO 8601 timestamp with an offset", ex.Message);
    }

    [Theory]
    [InlineData("2026-12-01T10:00:00Z")]
    [InlineData("2026-12-01T10:00:00+08:00")]
    [InlineData("2026-12-01T10:00:00-0330")]
    public void Parse_TimestampWithOffset_Accepts(string value)
    {
        var trigger = Parser().Parse(Valid().Also(t => t["sendAt"] = value).ToJsonString());

        Assert.Equal(DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture), trigger.SendAt);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(-1)]
    public void Parse_HoldoutPercentOutOfRange_ReportsRange(int holdout)
    {
        var ex = Rejects(t => t["holdoutPercent"] = holdout);

        Assert.Contains("holdoutPercent must be 0-99", ex.Message);
    }

    [Fact]
    public void Parse_AudienceWithNeitherTiersNorUserIds_ReportsNeeded()
    {
        var ex = Rejects(t => t["audience"] = new JsonObject { ["interests"] = new JsonArray("fitness") });

        Assert.Contains("audience needs tiers or userIds", ex.Message);
    }

    [Fact]
    public void Parse_MissingAudience_ReportsRequired()
    {
        var ex = Rejects(t => t.Remove("audience"));

        Assert.Contains("audience is required", ex.Message);
    }

    [Fact]
    public void Parse_TooManyUserIds_ReportsLimit()
    {
        var options = new CampaignOptions { MaxUserIds = 2 };
        Parser(options).Parse(Valid().Also(t => t["audience"] = new JsonObject { ["userIds"] = new JsonArray("u1", "u2", "u2") }).ToJsonString());

        var ex = Rejects(t => t["audience"] = new JsonObject { ["userIds"] = new JsonArray("u1", "u2", "u3") }, options);

        Assert.Contains("audience.userIds lists 3 users; at most 2", ex.Message);
    }

    [Fact]
    public void Parse_UserIdWithHash_ReportsInvalidKey()
    {
        var ex = Rejects(t => t["audience"] = new JsonObject { ["userIds"] = new JsonArray("u1", "u#2") });

        Assert.Contains("audience.userIds: 'u#2' contains '#'", ex.Message);
    }

    [Fact]
    public void Parse_EmptyUserId_ReportsEmptyValue()
    {
        var ex = Rejects(t => t["audience"] = new JsonObject { ["tiers"] = new JsonArray("dormant"), ["userIds"] = new JsonArray("u1", " ") });

        Assert.Contains("audience.userIds holds an empty value", ex.Message);
    }

    [Fact]
    public void Parse_UnknownTopLevelProperty_ReportsName()
    {
        var ex = Rejects(t => t["holdoutPercentage"] = 10);

        Assert.Contains("unknown property 'holdoutPercentage'", ex.Message);
    }

    [Fact]
    public void Parse_UnknownAudienceProperty_ReportsQualifiedName()
    {
        var ex = Rejects(t => t["audience"] = new JsonObject { ["tiers"] = new JsonArray("dormant"), ["tier"] = "dormant" });

        Assert.Contains("unknown property 'audience.tier'", ex.Message);
    }

    [Fact]
    public void Parse_UnknownChannelProperty_ReportsQualifiedName()
    {
        var ex = Rejects(t => t["channels"] = new JsonArray(new JsonObject { ["channel"] = "sms", ["template"] = "Hi", ["priority"] = "high" }));

        Assert.Contains("unknown property 'channels[0].priority'", ex.Message);
    }

    [Fact]
    public void Parse_OversizedMessage_ReportsSizeBeforeParsing()
    {
        var json = Valid().Also(t => t["name"] = new string('n', CampaignTriggerParser.MaxMessageChars)).ToJsonString();
        Assert.True(json.Length > CampaignTriggerParser.MaxMessageChars);

        var ex = Rejects(json);

        Assert.StartsWith("the trigger is ", ex.Message);
        Assert.Contains("list fewer userIds", ex.Message);
    }

    [Fact]
    public void Parse_OversizedInvalidJson_ReportsSizeNotJson()
    {
        var ex = Rejects("{" + new string(' ', CampaignTriggerParser.MaxMessageChars));

        Assert.StartsWith("the trigger is ", ex.Message);
        Assert.DoesNotContain("invalid JSON", ex.Message);
    }

    [Fact]
    public void Parse_SmsRenderingTooManySegments_ReportsSegments()
    {
        // 【Brand】 and 回T退订 make every default SMS UCS-2: 67 units per part
        var ex = Rejects(t => t["channels"] = Channel("sms", new string('a', 500)));

        Assert.Contains("channels[0] (sms).template renders 8 SMS segments (Ucs2); at most 6", ex.Message);
    }

    [Fact]
    public void Parse_SmsAtMaxSegments_AcceptsAndOneMoreUnitRejects()
    {
        // no signature; the +86 line alone forces UCS-2: rendered + " " + 回T退订 (5 units); 4 parts hold 268 units
        var sms = new SmsOptions { BrandSignature = "", MaxSegments = 4 };
        var trigger = Parser(sms: sms).Parse(Valid().Also(t => t["channels"] = Channel("sms", new string('a', 263))).ToJsonString());

        Assert.Single(trigger.Channels);

        var ex = Rejects(t => t["channels"] = Channel("sms", new string('a', 264)), sms: sms);

        Assert.Contains("channels[0] (sms).template renders 5 SMS segments (Ucs2); at most 4", ex.Message);
    }

    [Fact]
    public void Parse_SmsLongestOptOutDecides_ReportsSegmentsOfChineseLine()
    {
        // GSM for "Reply STOP to opt out" (1 part), UCS-2 for 回T退订 (2 parts): the longer one counts
        var sms = new SmsOptions { BrandSignature = "", MaxSegments = 1 };
        var ex = Rejects(t => t["channels"] = Channel("sms", new string('a', 70)), sms: sms);

        Assert.Contains("renders 2 SMS segments (Ucs2); at most 1", ex.Message);
    }

    [Fact]
    public void Parse_VariableNamedLikeBuiltIn_ReportsName()
    {
        var ex = Rejects(t => t["variables"] = new JsonObject { ["tier"] = "gold" });

        Assert.Contains("variables.tier: names are lower_snake_case and not one of user_id, tier", ex.Message);
    }

    [Theory]
    [InlineData("Discount")]
    [InlineData("discount-code")]
    [InlineData("9lives")]
    public void Parse_VariableNotLowerSnakeCase_ReportsName(string name)
    {
        var ex = Rejects(t => t["variables"] = new JsonObject { [name] = "x" });

        Assert.Contains($"variables.{name}: names are lower_snake_case", ex.Message);
    }

    [Fact]
    public void Parse_VariableTooLong_ReportsLength()
    {
        var ex = Rejects(t => t["variables"] = new JsonObject { ["code"] = new string('x', 501) });

        Assert.Contains("variables.code: a string of at most 500 characters", ex.Message);
    }

    [Fact]
    public void Parse_TooManyVariables_ReportsLimit()
    {
        var variables = new JsonObject();
        for (var i = 0; i < 21; i++)
        {
            variables[$"v{i}"] = "x";
        }

        var ex = Rejects(t => t["variables"] = variables);

        Assert.Contains("variables: 21 given; at most 20", ex.Message);
    }

    [Fact]
    public void Parse_CustomVariableInTemplate_RendersWithItsValue()
    {
        var trigger = Parser().Parse(Valid().Also(t =>
        {
            t["variables"] = new JsonObject { ["code"] = "BF30" };
            t["channels"] = Channel("sms", "Use {{ code }}");
        }).ToJsonString());

        Assert.Equal("BF30", trigger.Variables["code"]);
    }

    [Fact]
    public void Parse_SeveralErrors_ReportsAllInOneMessage()
    {
        var ex = Rejects(t =>
        {
            t["schemaVersion"] = 3;
            t["holdoutPercent"] = 100;
            t["audience"] = new JsonObject { ["tiers"] = new JsonArray("vip") };
            t["channels"] = new JsonArray(
                new JsonObject { ["channel"] = "push", ["template"] = "{{ nmae }}" },
                new JsonObject { ["channel"] = "fax", ["template"] = "x" });
            t["expiresAt"] = "2026-01-01T00:00:00Z";
            t["surprise"] = true;
        });

        Assert.StartsWith("campaign 'bf-2026': ", ex.Message);
        Assert.Contains("unknown property 'surprise'", ex.Message);
        Assert.Contains("schemaVersion 3 is not supported", ex.Message);
        Assert.Contains("unknown tier 'vip'", ex.Message);
        Assert.Contains("expired: expiresAt", ex.Message);
        Assert.Contains("holdoutPercent must be 0-99", ex.Message);
        Assert.Contains("channels[0] (push).title is required", ex.Message);
        Assert.Contains("channels[0] (push).template fails to render a sample", ex.Message);
        Assert.Contains("channels[1].channel: unknown channel 'fax'", ex.Message);
        Assert.Equal(8, ex.Message.Split("; ").Length);
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}
