using System.Text.RegularExpressions;

namespace Engagement.Campaigns;

/// <summary>The <c>coupons</c> of a campaign trigger, checked the way the rest of the trigger is: every problem named by its field.</summary>
internal static partial class CouponOffers
{
    public const int MaxCoupons = 5;
    public const decimal MaxValue = 100_000m;
    public const int MaxValidDays = 365;

    public static List<CouponOffer> Validate(List<CouponDto?>? dtos, List<string> errors)
    {
        var offers = new List<CouponOffer>();
        if (dtos is null)
        {
            return offers;
        }

        if (dtos.Count > MaxCoupons)
        {
            errors.Add($"coupons: {dtos.Count} given; at most {MaxCoupons}");
        }

        for (var i = 0; i < dtos.Count; i++)
        {
            var where = $"coupons[{i}]";
            if (dtos[i] is not { } dto)
            {
                errors.Add($"{where} is null");
                continue;
            }

            var before = errors.Count;
            foreach (var name in dto.Unknown?.Keys ?? Enumerable.Empty<string>())
            {
                errors.Add($"unknown property '{where}.{name}'");
            }

            if (dto.Item is null || !ItemPattern().IsMatch(dto.Item))
            {
                errors.Add($"{where}.item must be 1-40 letters, digits, '.', '_' or '-' (it names the coupon in the wallet)");
            }
            else if (offers.Any(o => o.Item == dto.Item))
            {
                errors.Add($"{where}.item '{dto.Item}' is listed twice");
            }

            if (dto.Value is not { } value || value <= 0 || value > MaxValue || decimal.Round(value, 2) != value)
            {
                errors.Add($"{where}.value must be more than 0 and at most {MaxValue:0}, with at most 2 decimals");
            }

            if (dto.Currency is null || !CurrencyPattern().IsMatch(dto.Currency))
            {
                errors.Add($"{where}.currency must be an ISO 4217 code such as CNY or USD");
            }

            if (dto.ValidDays is not (>= 1 and <= MaxValidDays))
            {
                errors.Add($"{where}.validDays must be 1-{MaxValidDays}");
            }

            if (errors.Count == before)
            {
                offers.Add(new CouponOffer(dto.Item!, dto.Value!.Value, dto.Currency!, dto.ValidDays!.Value));
            }
        }

        return offers;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
    private static partial Regex ItemPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
