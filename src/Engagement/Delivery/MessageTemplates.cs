using System.Collections.Concurrent;
using Engagement.Wallet;
using Fluid;

namespace Engagement.Delivery;

/// <summary>
/// What a template can use: the built-in variables below plus the campaign's own variables. <c>language</c> is
/// <c>zh</c> or <c>en</c> (<see cref="Languages"/>); the <c>coupon_*</c> values describe the first coupon the campaign
/// issued to the user (empty, and <c>coupon_count</c> 0, when it issued none).
/// </summary>
public sealed record TemplateValues(string UserId, string Tier, string Interest, long Points, string Campaign, string ExpiresAt, string Language = Languages.English)
{
    public static readonly IReadOnlyList<string> BuiltIn =
        ["user_id", "tier", "interest", "points", "campaign", "expires_at", "language", "coupon_code", "coupon_value", "coupon_currency", "coupon_expires_at", "coupon_count"];

    public string CouponCode { get; init; } = "";

    /// <summary>The value as written on a coupon: <c>20</c>, <c>12.5</c>.</summary>
    public string CouponValue { get; init; } = "";

    public string CouponCurrency { get; init; } = "";

    /// <summary>The coupon's last valid minute in the user's zone, <c>yyyy-MM-dd HH:mm</c>.</summary>
    public string CouponExpiresAt { get; init; } = "";

    public int CouponCount { get; init; }

    /// <summary>The first of the user's coupons (by item, so every channel shows the same one), times in the user's zone.</summary>
    public TemplateValues WithCoupons(IReadOnlyList<Coupon>? coupons, TimeZoneInfo zone)
    {
        if (coupons is not { Count: > 0 })
        {
            return this;
        }

        var first = coupons.MinBy(c => c.Item, StringComparer.Ordinal)!;
        return this with
        {
            CouponCode = first.DisplayCode,
            CouponValue = first.DisplayValue,
            CouponCurrency = first.Currency,
            CouponExpiresAt = first.ValidUntilIn(zone),
            CouponCount = coupons.Count,
        };
    }

    /// <summary>Stand-in values for rendering a sample at validation time, coupon included (a template may show it).</summary>
    public static TemplateValues Sample(string campaign, string language = Languages.English) => new("u0000001", "dormant", "fitness", 120, campaign, "2026-12-31 23:59", language)
    {
        CouponCode = "K7MP-3QXZ-8HRC",
        CouponValue = "20",
        CouponCurrency = "CNY",
        CouponExpiresAt = "2026-12-31 23:59",
        CouponCount = 1,
    };
}

/// <summary>The languages default templates are written in.</summary>
public static class Languages
{
    public const string Chinese = "zh";
    public const string English = "en";

    public static readonly IReadOnlyList<string> All = [Chinese, English];
}

/// <summary>
/// Liquid templates (Fluid). Strict: an unknown variable or filter is an error, so a typo is caught
/// when the campaign is validated (a sample render), never as a blank in a customer's message.
/// Parsed templates are cached by text.
/// </summary>
public sealed class MessageTemplates
{
    private static readonly FluidParser Parser = new();
    private readonly TemplateOptions _options = new() { StrictVariables = true, StrictFilters = true, MaxSteps = 10_000 };
    private readonly ConcurrentDictionary<string, IFluidTemplate> _parsed = new(StringComparer.Ordinal);

    /// <summary>Parses a template; returns the error (with line and column) or null.</summary>
    public string? Check(string template)
    {
        if (Parser.TryParse(template, out var parsed, out var error))
        {
            _parsed.TryAdd(template, parsed);
            return null;
        }

        return error;
    }

    /// <summary>Renders; throws <see cref="TemplateRenderException"/> for a template that does not parse or render.</summary>
    public string Render(string template, TemplateValues values, IReadOnlyDictionary<string, string> variables)
    {
        var parsed = _parsed.GetOrAdd(template, t => Parser.TryParse(t, out var p, out var error)
            ? p
            : throw new TemplateRenderException($"template does not parse: {error}"));
        var context = new TemplateContext(_options);
        foreach (var (name, value) in variables)
        {
            context.SetValue(name, value);
        }

        context.SetValue("user_id", values.UserId);
        context.SetValue("tier", values.Tier);
        context.SetValue("interest", values.Interest);
        context.SetValue("points", values.Points);
        context.SetValue("campaign", values.Campaign);
        context.SetValue("expires_at", values.ExpiresAt);
        context.SetValue("language", values.Language);
        context.SetValue("coupon_code", values.CouponCode);
        context.SetValue("coupon_value", values.CouponValue);
        context.SetValue("coupon_currency", values.CouponCurrency);
        context.SetValue("coupon_expires_at", values.CouponExpiresAt);
        context.SetValue("coupon_count", values.CouponCount);
        try
        {
            return parsed.Render(context).Trim();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // strict-variable errors, divided_by: 0, include/render of a file that does not exist, ...
            throw new TemplateRenderException($"{ex.GetType().Name}: {ex.Message}", ex);
        }
    }
}

public sealed class TemplateRenderException : Exception
{
    public TemplateRenderException(string message)
        : base(message)
    {
    }

    public TemplateRenderException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
