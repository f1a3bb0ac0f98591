using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Engagement.Messaging;
using Engagement.Storage;
using Microsoft.Extensions.Options;

namespace Engagement.Activity;

/// <summary>
/// Parses and validates an <c>activity-events</c> message: one event object or an array of them.
/// All or nothing: one bad event rejects the message, so no aggregate is half-updated.
/// </summary>
public sealed class ActivityEventParser(IOptions<ActivityOptions> options, TimeProvider time)
{
    private const string Types = "login|interaction|purchase|referral|content_open|content_click";

    private readonly ActivityOptions _options = options.Value;

    public IReadOnlyList<ActivityEvent> Parse(string json)
    {
        List<ActivityEventDto?>? dtos;
        try
        {
            using var doc = JsonDocument.Parse(json);
            dtos = doc.RootElement.ValueKind switch
            {
                JsonValueKind.Array => doc.RootElement.Deserialize(ActivityJsonContext.Default.ListActivityEventDto),
                JsonValueKind.Object => [doc.RootElement.Deserialize(ActivityJsonContext.Default.ActivityEventDto)],
                var other => throw new MalformedMessageException($"expected an event object or an array of events, got {Describe(other)}"),
            };
        }
        catch (JsonException ex)
        {
            throw new MalformedMessageException($"invalid JSON: {ex.Message}", ex);
        }

        if (dtos is null || dtos.Count == 0)
        {
            throw new MalformedMessageException("the message holds no events");
        }

        if (dtos.Count > _options.MaxEventsPerMessage)
        {
            throw new MalformedMessageException($"{dtos.Count} events in one message; at most {_options.MaxEventsPerMessage}");
        }

        var latest = time.GetUtcNow() + _options.MaxFutureSkew;
        var events = new List<ActivityEvent>(dtos.Count);
        var errors = new List<string>();
        for (var i = 0; i < dtos.Count; i++)
        {
            var problems = Validate(dtos[i], latest, out var e);
            if (problems.Count > 0)
            {
                errors.Add($"event[{i}]{(dtos[i]?.EventId is { } id ? $" ({id})" : "")}: {string.Join(", ", problems)}");
            }
            else
            {
                events.Add(e!);
            }
        }

        if (errors.Count > 0)
        {
            throw new MalformedMessageException(string.Join("; ", errors.Take(20)) + (errors.Count > 20 ? $"; and {errors.Count - 20} more" : ""));
        }

        return events;
    }

    /// <summary>Validates one event from another source (CSV backfill): every problem it has, none when valid.</summary>
    internal IReadOnlyList<string> Validate(ActivityEventDto dto, out ActivityEvent? e) =>
        Validate(dto, time.GetUtcNow() + _options.MaxFutureSkew, out e);

    /// <summary>Every problem of the event, so a producer fixes them in one round, not one per attempt.</summary>
    private static List<string> Validate(ActivityEventDto? dto, DateTimeOffset latest, out ActivityEvent? e)
    {
        e = null;
        if (dto is null)
        {
            return ["is null"];
        }

        var errors = new List<string>();
        if (IdError(dto.EventId) is { } eventIdError)
        {
            errors.Add($"eventId {eventIdError}");
        }

        if (IdError(dto.UserId) is { } userIdError)
        {
            errors.Add($"userId {userIdError}");
        }

        ActivityType? type = dto.Type switch
        {
            "login" => ActivityType.Login,
            "interaction" or ContentInteraction.OpenType or ContentInteraction.ClickType => ActivityType.Interaction,
            "purchase" => ActivityType.Purchase,
            "referral" => ActivityType.Referral,
            _ => null,
        };
        if (type is null)
        {
            errors.Add(dto.Type is null ? $"type is missing ({Types})" : $"unknown type '{dto.Type}' ({Types})");
        }

        ReferrerErrors(dto, type, errors);
        var content = ContentOf(dto, errors);

        var occurredAt = OccurredAt(dto.OccurredAt, latest, errors);
        long minor = 0;
        if (dto.Amount is { } amount)
        {
            var scaled = amount * 100m;
            if (amount < 0)
            {
                errors.Add($"amount {amount.ToString(CultureInfo.InvariantCulture)} is negative");
            }
            else if (scaled != decimal.Truncate(scaled))
            {
                errors.Add($"amount {amount.ToString(CultureInfo.InvariantCulture)} has more than two decimal places");
            }
            else if (scaled > long.MaxValue / 4)
            {
                errors.Add("amount is too large");
            }
            else
            {
                minor = (long)scaled;
            }
        }
        else if (type == ActivityType.Purchase)
        {
            errors.Add("a purchase needs an amount");
        }

        var category = string.IsNullOrWhiteSpace(dto.Category) ? null : dto.Category.Trim().ToLowerInvariant();
        if (category is { Length: > 40 } || (category is not null && category.Contains(',', StringComparison.Ordinal)))
        {
            errors.Add("category must be at most 40 characters and hold no comma");
        }

        if (errors.Count == 0)
        {
            e = new ActivityEvent(dto.EventId!, dto.UserId!, type!.Value, type == ActivityType.Purchase ? minor : 0, category, occurredAt!.Value, dto.Referrer, content);
        }

        return errors;
    }

    /// <summary>A referral names its referrer (not the invitee itself) and shows no interest; no other type may name one.</summary>
    private static void ReferrerErrors(ActivityEventDto dto, ActivityType? type, List<string> errors)
    {
        if (type != ActivityType.Referral)
        {
            if (dto.Referrer is not null)
            {
                errors.Add("referrer is only allowed on a referral");
            }

            return;
        }

        if (dto.Referrer is null)
        {
            errors.Add("a referral needs a referrer (the inviting user's id)");
        }
        else if (IdError(dto.Referrer) is { } referrerError)
        {
            errors.Add($"referrer {referrerError}");
        }
        else if (string.Equals(dto.Referrer, dto.UserId, StringComparison.Ordinal))
        {
            errors.Add($"self-referral: referrer '{dto.Referrer}' is the userId");
        }

        if (!string.IsNullOrWhiteSpace(dto.Category))
        {
            errors.Add("a referral has no category");
        }
    }

    /// <summary>
    /// A content event names the item and the delivery that brought it (both required); no other type may name either.
    /// The delivery id is the ledger's <c>{partition}/{row}</c>: two table keys joined by the first '/'.
    /// </summary>
    private static ContentInteraction? ContentOf(ActivityEventDto dto, List<string> errors)
    {
        ContentAction? action = dto.Type switch
        {
            ContentInteraction.OpenType => ContentAction.Open,
            ContentInteraction.ClickType => ContentAction.Click,
            _ => null,
        };
        if (action is null)
        {
            if (dto.ContentId is not null)
            {
                errors.Add("contentId is only allowed on content_open or content_click");
            }

            if (dto.DeliveryId is not null)
            {
                errors.Add("deliveryId is only allowed on content_open or content_click");
            }

            return null;
        }

        var problems = errors.Count;
        if (dto.ContentId is null)
        {
            errors.Add($"a {dto.Type} needs a contentId");
        }
        else if (IdError(dto.ContentId) is { } contentIdError)
        {
            errors.Add($"contentId {contentIdError}");
        }

        if (dto.DeliveryId is null)
        {
            errors.Add($"a {dto.Type} needs a deliveryId (the delivery that brought the item)");
        }
        else if (DeliveryIdError(dto.DeliveryId) is { } deliveryIdError)
        {
            errors.Add($"deliveryId {deliveryIdError}");
        }

        return errors.Count > problems ? null : new ContentInteraction(action.Value, dto.ContentId!, dto.DeliveryId!);
    }

    private static string? DeliveryIdError(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return "is empty";
        }

        var slash = id.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return $"'{id}' is not a delivery id ({{campaignId}}_{{shard}}/{{channel}}|{{occurrence}}|{{userId}})";
        }

        return IdError(id[..slash]) is { } partitionError ? $"'{id}': its campaign part {partitionError}"
            : IdError(id[(slash + 1)..]) is { } rowError ? $"'{id}': its recipient part {rowError}"
            : null;
    }

    private static DateTimeOffset? OccurredAt(string? text, DateTimeOffset latest, List<string> errors)
    {
        if (text is null || string.IsNullOrWhiteSpace(text))
        {
            errors.Add("occurredAt is missing");
            return null;
        }

        // AssumeUniversal only so that parsing never reads the host's zone; a missing offset is refused below
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurredAt))
        {
            errors.Add($"occurredAt '{text}' is not a timestamp");
            return null;
        }

        // without an offset the instant (and so the day) is a guess: the producer's zone is unknown here
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) || parsed.Kind == DateTimeKind.Unspecified)
        {
            errors.Add($"occurredAt '{text}' has no UTC offset (end it with 'Z' or '+hh:mm')");
            return null;
        }

        if (occurredAt > latest)
        {
            errors.Add($"occurredAt {occurredAt.ToString("O", CultureInfo.InvariantCulture)} is in the future");
            return null;
        }

        return occurredAt;
    }

    /// <summary>Ids are compared ordinally: " u1 " would be another user than "u1", so padding is refused, not trimmed.</summary>
    private static string? IdError(string? id)
    {
        if (!TableKeys.IsValid(id, out var why))
        {
            return why;
        }

        return char.IsWhiteSpace(id![0]) || char.IsWhiteSpace(id[^1]) ? "has leading or trailing whitespace" : null;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}

internal sealed class ActivityEventDto
{
    public string? EventId { get; set; }

    public string? UserId { get; set; }

    public string? Type { get; set; }

    public decimal? Amount { get; set; }

    public string? Category { get; set; }

    public string? OccurredAt { get; set; }

    /// <summary>Who invited <see cref="UserId"/>: required on a referral, refused on other types.</summary>
    public string? Referrer { get; set; }

    /// <summary>The catalogue item of a <c>content_open</c> / <c>content_click</c>: required there, refused on other types.</summary>
    public string? ContentId { get; set; }

    /// <summary>The delivery that brought the item (the ledger's <c>{partition}/{row}</c>): required with <see cref="ContentId"/>.</summary>
    public string? DeliveryId { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ActivityEventDto))]
[JsonSerializable(typeof(List<ActivityEventDto>))]
internal sealed partial class ActivityJsonContext : JsonSerializerContext;
