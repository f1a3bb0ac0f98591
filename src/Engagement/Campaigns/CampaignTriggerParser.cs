using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engagement.Delivery;
using Engagement.Messaging;
using Engagement.Segmentation;
using Engagement.Storage;
using Microsoft.Extensions.Options;

namespace Engagement.Campaigns;

/// <summary>
/// Parses and validates a <c>campaign-triggers</c> message. Every problem is reported at once,
/// each naming its field; templates are parsed and a sample is rendered per channel, so a
/// campaign that would fail on its first recipient fails here instead, before anything is sent.
/// </summary>
public sealed partial class CampaignTriggerParser(
    TierClassifier classifier,
    MessageTemplates templates,
    IOptions<SmsOptions> sms,
    IOptions<CampaignOptions> options,
    TimeProvider time)
{
    public const int SchemaVersion = 1;

    /// <summary>Leaves room under the queue's 64 KiB for the envelope.</summary>
    public const int MaxMessageChars = 60_000;

    private const int MaxVariables = 20;

    // the opt-out line differs by country: check the longer outcome
    private static readonly string[] SamplePhones = ["+8613800138000", "+14155550100"];

    /// <summary>Validates a trigger arriving on the queue.</summary>
    public CampaignTrigger Parse(string json) => Parse(json, atAcceptance: true);

    /// <summary>Reads back a trigger accepted earlier: the same rules except that time has moved on (expiry is a send-time policy by then).</summary>
    public CampaignTrigger ParseAccepted(string json) => Parse(json, atAcceptance: false);

    private CampaignTrigger Parse(string json, bool atAcceptance)
    {
        if (json.Length > MaxMessageChars)
        {
            throw new MalformedMessageException($"the trigger is {json.Length:N0} characters; at most {MaxMessageChars:N0} (list fewer userIds and use tiers and filters)");
        }

        CampaignTriggerDto? dto;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedMessageException("a campaign trigger is one JSON object");
            }

            dto = doc.RootElement.Deserialize(CampaignJsonContext.Default.CampaignTriggerDto);
        }
        catch (JsonException ex)
        {
            throw new MalformedMessageException($"invalid JSON: {ex.Message}", ex);
        }

        var errors = new List<string>();
        var trigger = Validate(dto!, atAcceptance, errors);
        if (errors.Count > 0)
        {
            var id = dto?.CampaignId is { Length: > 0 and <= 64 } c ? $"campaign '{c}': " : "";
            throw new MalformedMessageException(id + string.Join("; ", errors));
        }

        return trigger!;
    }

    private CampaignTrigger? Validate(CampaignTriggerDto dto, bool atAcceptance, List<string> errors)
    {
        Unknown(dto.Unknown, "", errors);
        if (dto.SchemaVersion != SchemaVersion)
        {
            errors.Add(dto.SchemaVersion is null ? "schemaVersion is required (1)" : $"schemaVersion {dto.SchemaVersion} is not supported (1)");
        }

        if (string.IsNullOrWhiteSpace(dto.CampaignId))
        {
            errors.Add("campaignId is required");
        }
        else if (!CampaignIdPattern().IsMatch(dto.CampaignId))
        {
            errors.Add("campaignId must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        if (string.IsNullOrWhiteSpace(dto.Name))
        {
            errors.Add("name is required");
        }
        else if (dto.Name.Length > 200)
        {
            errors.Add("name is longer than 200 characters");
        }

        var audience = CampaignAudiences.Validate(dto.Audience, classifier.Tiers, options.Value.MaxUserIds, errors);
        var variables = ValidateVariables(dto.Variables, errors);
        var now = time.GetUtcNow();
        var sendAt = Timestamp(dto.SendAt, "sendAt", errors);
        var expiresAt = Timestamp(dto.ExpiresAt, "expiresAt", errors);
        if (atAcceptance && expiresAt is { } e && e <= now)
        {
            errors.Add($"expired: expiresAt {e:O} is in the past");
        }

        if (sendAt is { } s && expiresAt is { } x && s >= x)
        {
            errors.Add("sendAt must be before expiresAt");
        }

        if (dto.HoldoutPercent is < 0 or > 99)
        {
            errors.Add("holdoutPercent must be 0-99");
        }

        if (dto.HoldoutKey is not null && !CampaignIdPattern().IsMatch(dto.HoldoutKey))
        {
            errors.Add("holdoutKey must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        var coupons = CouponOffers.Validate(dto.Coupons, errors);
        var channels = ValidateChannels(dto.Channels, dto.Name ?? "", expiresAt, variables, errors);
        return errors.Count > 0
            ? null
            : new CampaignTrigger(dto.CampaignId!, dto.Name!, audience!, channels, sendAt, expiresAt, dto.HoldoutPercent ?? 0, dto.DryRun ?? false, variables)
            {
                HoldoutKey = dto.HoldoutKey ?? dto.CampaignId!,
                Coupons = coupons,
                FrequencyCap = dto.FrequencyCap ?? true,
            };
    }

    private List<ChannelTemplate> ValidateChannels(List<ChannelDto?>? dtos, string name, DateTimeOffset? expiresAt, IReadOnlyDictionary<string, string> variables, List<string> errors)
    {
        var channels = new List<ChannelTemplate>();
        if (dtos is null || dtos.Count == 0)
        {
            errors.Add($"channels: at least one of {string.Join(", ", Channels.All)}");
            return channels;
        }

        for (var i = 0; i < dtos.Count; i++)
        {
            var where = $"channels[{i}]";
            var dto = dtos[i];
            if (dto is null)
            {
                errors.Add($"{where} is null");
                continue;
            }

            Unknown(dto.Unknown, where + ".", errors);
            if (dto.Channel is null || !Channels.All.Contains(dto.Channel))
            {
                errors.Add($"{where}.channel: unknown channel '{dto.Channel}' (known: {string.Join(", ", Channels.All)})");
                continue;
            }

            where = $"channels[{i}] ({dto.Channel})";
            if (channels.Any(c => c.Channel == dto.Channel))
            {
                errors.Add($"{where}: listed twice");
                continue;
            }

            if (dto.Fallback == true && i == 0)
            {
                errors.Add($"{where}.fallback: the first channel cannot be a fallback (no channel before it to fall back from)");
            }

            if (dto.Channel is Channels.Push or Channels.InApp && string.IsNullOrWhiteSpace(dto.Title))
            {
                errors.Add($"{where}.title is required");
            }

            if (string.IsNullOrWhiteSpace(dto.Template))
            {
                errors.Add($"{where}.template is required");
                continue;
            }

            if (dto.Template.Length > options.Value.MaxTemplateChars)
            {
                errors.Add($"{where}.template is {dto.Template.Length:N0} characters; at most {options.Value.MaxTemplateChars:N0}");
                continue;
            }

            if (templates.Check(dto.Template) is { } parseError)
            {
                errors.Add($"{where}.template does not parse: {parseError}");
                continue;
            }

            try
            {
                var sample = TemplateValues.Sample(name) with { ExpiresAt = expiresAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "" };
                var rendered = templates.Render(dto.Template, sample, variables);
                if (rendered.Length == 0)
                {
                    errors.Add($"{where}.template renders an empty message");
                }
                else if (dto.Channel == Channels.Sms)
                {
                    // the longest outcome over every tier name, both languages and both opt-out lines
                    var longest = classifier.Tiers
                        .SelectMany(t => Languages.All.Select(language => sample with { Tier = t, Language = language }))
                        .Select(values => templates.Render(dto.Template, values, variables))
                        .SelectMany(text => SamplePhones.Select(p => SmsText.Compose(text, p, sms.Value)))
                        .MaxBy(b => b.Segments)!;
                    if (longest.Segments > sms.Value.MaxSegments)
                    {
                        errors.Add($"{where}.template renders {longest.Segments} SMS segments ({longest.Encoding}); at most {sms.Value.MaxSegments}");
                    }
                }
            }
            catch (TemplateRenderException ex)
            {
                errors.Add($"{where}.template fails to render a sample: {ex.Message}");
                continue;
            }

            channels.Add(new ChannelTemplate(dto.Channel, dto.Template, dto.Title) { Fallback = dto.Fallback ?? false });
        }

        return channels;
    }

    private static Dictionary<string, string> ValidateVariables(Dictionary<string, string?>? dto, List<string> errors)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (dto is null)
        {
            return variables;
        }

        if (dto.Count > MaxVariables)
        {
            errors.Add($"variables: {dto.Count} given; at most {MaxVariables}");
        }

        foreach (var (name, value) in dto)
        {
            if (!VariablePattern().IsMatch(name) || TemplateValues.BuiltIn.Contains(name))
            {
                errors.Add($"variables.{name}: names are lower_snake_case and not one of {string.Join(", ", TemplateValues.BuiltIn)}");
            }
            else if (value is null || value.Length > 500)
            {
                errors.Add($"variables.{name}: a string of at most 500 characters");
            }
            else
            {
                variables[name] = value;
            }
        }

        return variables;
    }

    private static DateTimeOffset? Timestamp(string? text, string field, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        // an offset is required: "18:00" without one means different instants to different producers
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) || !HasOffset(text))
        {
            errors.Add($"{field} '{text}' is not an ISO 8601 timestamp with an offset (e.g. 2026-12-18T10:00:00+08:00)");
            return null;
        }

        return value;
    }

    private static bool HasOffset(string text) => text.EndsWith('Z') || text.EndsWith('z') || OffsetPattern().IsMatch(text);

    private static void Unknown(Dictionary<string, JsonElement>? unknown, string prefix, List<string> errors)
    {
        foreach (var name in unknown?.Keys ?? Enumerable.Empty<string>())
        {
            errors.Add($"unknown property '{prefix}{name}'");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex CampaignIdPattern();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,31}$")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"[+-]\d{2}:?\d{2}$")]
    private static partial Regex OffsetPattern();
}
