using System.Text.RegularExpressions;
using Engagement.Campaigns;
using Engagement.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Referrals;

/// <summary>
/// Refuses referral settings that cannot work, each problem naming its setting; last, a sample reward goes through
/// the campaign trigger parser, so a template that does not render stops the start instead of the first reward.
/// </summary>
public sealed partial class ReferralOptionsValidator(IServiceProvider services) : IValidateOptions<ReferralOptions>
{
    /// <summary>The look-back every window must fit in (the activity aggregate's span).</summary>
    private const int MaxWithinDays = 365;

    public ValidateOptionsResult Validate(string? name, ReferralOptions options)
    {
        CampaignTriggerParser parser;
        try
        {
            // the parser reads other sections' options; when one of those is invalid its own validation names it
            parser = services.GetRequiredService<CampaignTriggerParser>();
            _ = services.GetRequiredService<IOptions<CampaignOptions>>().Value;
            _ = services.GetRequiredService<IOptions<Delivery.SmsOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = Problems(options).ToList();
        if (errors.Count == 0)
        {
            try
            {
                parser.ParseAccepted(ReferralTrigger.Build("sample-referrer", options));
            }
            catch (MalformedMessageException ex)
            {
                errors.Add($"{ReferralOptions.SectionName}: a reward would be refused (Referral:Template / Referral:Title): {ex.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The problems of the plain values (no template rendering).</summary>
    public static IEnumerable<string> Problems(ReferralOptions o)
    {
        const string At = ReferralOptions.SectionName;
        if (o.FriendsNeeded < 1)
        {
            yield return $"{At}:FriendsNeeded must be more than 0 (is {o.FriendsNeeded})";
        }

        if (o.WithinDays is < 1 or > MaxWithinDays)
        {
            yield return $"{At}:WithinDays must be 1-{MaxWithinDays} (is {o.WithinDays})";
        }

        if (o.FriendActiveDays < 1 || o.FriendActiveDays > Math.Max(1, o.WithinDays))
        {
            yield return $"{At}:FriendActiveDays must be 1-{Math.Max(1, o.WithinDays)} (at most Referral:WithinDays; is {o.FriendActiveDays})";
        }

        if (!ItemPattern().IsMatch(o.CouponItem))
        {
            yield return $"{At}:CouponItem '{o.CouponItem}': 1-40 lowercase letters, digits or '-'";
        }

        if (o.CouponValue <= 0)
        {
            yield return $"{At}:CouponValue must be more than 0 (is {o.CouponValue})";
        }

        if (!CurrencyPattern().IsMatch(o.CouponCurrency))
        {
            yield return $"{At}:CouponCurrency '{o.CouponCurrency}' is not a three-letter currency code (e.g. CNY)";
        }

        if (o.CouponValidDays is < 1 or > CouponOffers.MaxValidDays)
        {
            yield return $"{At}:CouponValidDays must be 1-{CouponOffers.MaxValidDays} (is {o.CouponValidDays})";
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex ItemPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
