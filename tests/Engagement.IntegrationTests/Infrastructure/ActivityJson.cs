using System.Text.Json;

namespace Engagement.IntegrationTests.Infrastructure;

/// <summary>Activity events in the queue contract's JSON shape, as a producer would send them.</summary>
public static class ActivityJson
{
    /// <summary>The ops zone (Asia/Shanghai) has no DST: a fixed +08:00 offset.</summary>
    public static readonly TimeSpan OpsOffset = TimeSpan.FromHours(8);

    public static DateTimeOffset At(DateOnly day, int hour = 10, int minute = 0) =>
        new(day.ToDateTime(new TimeOnly(hour, minute)), OpsOffset);

    public static Dictionary<string, object?> Purchase(string eventId, string userId, decimal amount, DateTimeOffset at, string? category = null) =>
        Event(eventId, userId, "purchase", amount, category, at);

    public static Dictionary<string, object?> Login(string eventId, string userId, DateTimeOffset at) =>
        Event(eventId, userId, "login", null, null, at);

    public static Dictionary<string, object?> Interaction(string eventId, string userId, string category, DateTimeOffset at) =>
        Event(eventId, userId, "interaction", null, category, at);

    /// <summary>A <c>content_open</c> or <c>content_click</c>: the item and the delivery that brought it.</summary>
    public static Dictionary<string, object?> Content(string eventId, string userId, string type, string contentId, string deliveryId, DateTimeOffset at)
    {
        var e = Event(eventId, userId, type, null, null, at);
        e["contentId"] = contentId;
        e["deliveryId"] = deliveryId;
        return e;
    }

    public static Dictionary<string, object?> Event(string eventId, string userId, string type, decimal? amount, string? category, DateTimeOffset at) =>
        new()
        {
            ["eventId"] = eventId,
            ["userId"] = userId,
            ["type"] = type,
            ["amount"] = amount,
            ["category"] = category,
            ["occurredAt"] = at,
        };

    public static string One(Dictionary<string, object?> e) => JsonSerializer.Serialize(e);

    public static string Many(params Dictionary<string, object?>[] events) => JsonSerializer.Serialize(events);
}
