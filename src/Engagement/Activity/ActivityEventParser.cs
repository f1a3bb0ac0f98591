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
            "interaction" => ActivityType.Interaction,
            "purchase" => ActivityType.Purchase,
            "referral" => ActivityType.Referral,
            _ => null,
        };
        if (type is null)
        {
            errors.Add(dto.Type is null ? "type is missing (login|interaction|purchase|referral)" : $"unknown type '{dto.Type}' (login|interaction|purchase|referral)");
        }

        ReferrerErrors(dto, type, errors);

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
            e = new ActivityEvent(dto.EventId!, dto.UserId!, type!.Value, type == ActivityType.Purchase ? minor : 0, category, occurredAt!.Value, dto.Referrer);
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
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ActivityEventDto))]
[JsonSerializable(typeof(List<ActivityEventDto>))]
internal sealed partial class ActivityJsonContext : JsonSerializerContext;
