using Engagement.Settings;
using Microsoft.Extensions.Configuration;

namespace Engagement.Playbooks;

/// <summary>How a playbook's runs are counted: one run per ops-zone month, ISO week or day.</summary>
public enum PlaybookPeriod
{
    Month,
    Week,
    Day,
}

/// <summary>
/// The <c>Playbooks</c> section: the SMS price for previews and one definition per playbook name
/// (<c>Playbooks__winback__Enabled=false</c>). Every child of the section that is not one of the
/// plain settings below is a playbook; a name that is not a default starts from empty values.
/// </summary>
public sealed class PlaybookOptions
{
    public const string SectionName = "Playbooks";

    /// <summary>Price of one SMS segment, for the preview's bill (0: no bill shown).</summary>
    [Setting(Places = SettingPlaces.Local)]
    public decimal SmsPricePerSegment { get; set; } = 0.045m;

    [Setting(Places = SettingPlaces.Local)]
    public string SmsPriceCurrency { get; set; } = "CNY";

    /// <summary>
    /// Documentation anchor for the catalogue (<c>Playbooks__NAME__...</c>); the definitions are bound
    /// from the section's children by <see cref="Bind"/>, not from this key.
    /// </summary>
    [ConfigurationKeyName("NAME")]
    public List<PlaybookDefinition> Structured { get; set; } = [];

    /// <summary>Playbooks by name (case-insensitive, as configuration keys are), defaults first.</summary>
    public Dictionary<string, PlaybookDefinition> Definitions { get; } = PlaybookDefaults.Create();

    /// <summary>Configuration keys under a playbook that name no setting (a typo such as <c>Enabeld</c> would otherwise be ignored silently).</summary>
    internal List<string> UnknownKeys { get; } = [];

    /// <summary>
    /// Merges the section's playbooks over the defaults, setting by setting: a list element given by
    /// index (<c>Playbooks__winback__Channels__1__Template</c>) changes that element only, a higher
    /// index adds one, and an element whose key (tier, channel, coupon item) is set empty is removed.
    /// </summary>
    public static void Bind(PlaybookOptions options, IConfiguration section)
    {
        foreach (var child in section.GetChildren())
        {
            if (child.Key is nameof(SmsPricePerSegment) or nameof(SmsPriceCurrency) or "NAME" || !child.GetChildren().Any())
            {
                continue;
            }

            if (!options.Definitions.TryGetValue(child.Key, out var definition))
            {
                definition = new PlaybookDefinition();
                options.Definitions[child.Key] = definition;
            }

            Unknown(child, typeof(PlaybookDefinition), options.UnknownKeys);
            foreach (var element in child.GetSection(nameof(PlaybookDefinition.Channels)).GetChildren())
            {
                Unknown(element, typeof(PlaybookChannel), options.UnknownKeys);
            }

            UnknownCoupons(child, options.UnknownKeys);
            foreach (var element in child.GetSection(nameof(PlaybookDefinition.Bands)).GetChildren())
            {
                Unknown(element, typeof(PlaybookBand), options.UnknownKeys);
                UnknownCoupons(element, options.UnknownKeys);
            }

            var tiers = definition.Tiers.ToList();
            var channels = definition.Channels.ToList();
            var coupons = definition.Coupons.ToList();
            var bands = definition.Bands.ToList();
            child.Bind(definition);

            // the binder appends list elements to the defaults: merge by index instead
            definition.Tiers = Merge(tiers, child.GetSection(nameof(PlaybookDefinition.Tiers)), (_, s) => s.Value ?? "");
            definition.Channels = Merge(channels, child.GetSection(nameof(PlaybookDefinition.Channels)), (old, s) => Bound(old ?? new PlaybookChannel(), s));
            definition.Coupons = MergeCoupons(coupons, child);
            definition.Bands = Merge(bands, child.GetSection(nameof(PlaybookDefinition.Bands)), (old, s) =>
            {
                var band = old ?? new PlaybookBand();
                var bandCoupons = band.Coupons.ToList();
                s.Bind(band);
                band.Coupons = MergeCoupons(bandCoupons, s);
                return band;
            });
            definition.Tiers.RemoveAll(t => t.Length == 0);
            definition.Channels.RemoveAll(c => c.Channel.Length == 0);
            definition.Bands.RemoveAll(b => b.Name.Length == 0);
        }
    }

    private static void UnknownCoupons(IConfigurationSection owner, List<string> unknown)
    {
        foreach (var element in owner.GetSection(nameof(PlaybookDefinition.Coupons)).GetChildren())
        {
            Unknown(element, typeof(PlaybookCoupon), unknown);
        }
    }

    /// <summary>A definition's or a band's coupons over what they were, by index; an empty item removes one.</summary>
    private static List<PlaybookCoupon> MergeCoupons(List<PlaybookCoupon> coupons, IConfigurationSection owner)
    {
        var merged = Merge(coupons, owner.GetSection(nameof(PlaybookDefinition.Coupons)), (old, s) => Bound(old ?? new PlaybookCoupon(), s));
        merged.RemoveAll(c => c.Item.Length == 0);
        return merged;
    }

    private static void Unknown(IConfigurationSection section, Type type, List<string> unknown) =>
        unknown.AddRange(section.GetChildren()
            .Where(c => type.GetProperty(c.Key, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase) is null)
            .Select(c => c.Path));

    private static List<T> Merge<T>(List<T> defaults, IConfigurationSection section, Func<T?, IConfigurationSection, T> bind)
    {
        var merged = new List<T>(defaults);
        var indexed = section.GetChildren()
            .Select(e => (Element: e, Index: int.TryParse(e.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : -1))
            .Where(e => e.Index >= 0)
            .OrderBy(e => e.Index);
        foreach (var (element, index) in indexed)
        {
            if (index < merged.Count)
            {
                merged[index] = bind(merged[index], element);
            }
            else
            {
                merged.Add(bind(default, element));
            }
        }

        return merged;
    }

    private static T Bound<T>(T target, IConfigurationSection section)
    {
        section.Bind(target);
        return target;
    }
}

/// <summary>One playbook: who, when, what, with which coupons, and how it is measured.</summary>
public sealed class PlaybookDefinition
{
    /// <summary>Off: the timer and <c>engage playbook run</c> start nothing and say so.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The audience: users in any of these tiers (TierClassifier's names).</summary>
    public List<string> Tiers { get; set; } = [];

    /// <summary>Six-field NCRONTAB (with seconds) in UTC, as the Functions host reads schedules.</summary>
    public string Schedule { get; set; } = "0 0 2 1 * *";

    /// <summary>One run per period of the ops calendar's zone (Activity:TimeZone).</summary>
    public PlaybookPeriod Period { get; set; } = PlaybookPeriod.Month;

    public List<PlaybookChannel> Channels { get; set; } = [];

    /// <summary>Issued to every recipient not held out (idempotent per run, user and item).</summary>
    public List<PlaybookCoupon> Coupons { get; set; } = [];

    /// <summary>Drawn per (user, playbook): the same users are held out every period.</summary>
    public int HoldoutPercent { get; set; }

    /// <summary>Reactivation counts for this many days after a run (outcomes).</summary>
    public int AttributionDays { get; set; } = 14;

    /// <summary>Nothing of a run is sent after its occurrence plus this; a catch-up later than it is reported as missed.</summary>
    public int ExpiresAfterDays { get; set; } = 3;

    /// <summary>
    /// Growth level bands (member day): when given, a run is one campaign per band, each narrowed to the band's
    /// levels and issuing the band's coupons (after <see cref="Coupons"/>, which every band issues); none: one campaign.
    /// </summary>
    public List<PlaybookBand> Bands { get; set; } = [];
}

/// <summary>One level band of a playbook: its campaign is the run's id plus <see cref="Name"/> (<c>memberday-2026-12-l1-3</c>).</summary>
public sealed class PlaybookBand
{
    /// <summary>1-20 lowercase letters, digits or '-': ends the band's campaign id. Empty removes a default band.</summary>
    public string Name { get; set; } = "";

    /// <summary>Growth levels 1-8, both included; a user without a level is level 1.</summary>
    public int MinLevel { get; set; } = 1;

    public int MaxLevel { get; set; } = 8;

    /// <summary>The band's benefit, issued to each of its recipients not held out.</summary>
    public List<PlaybookCoupon> Coupons { get; set; } = [];

    /// <summary>Template variables of the band's campaign (<c>lower_snake_case</c> names), e.g. the benefit in words.</summary>
    public Dictionary<string, string> Variables { get; set; } = new(StringComparer.Ordinal);
}

public sealed class PlaybookChannel
{
    public string Channel { get; set; } = "";

    /// <summary>Liquid, with the built-ins of MessageTemplates (coupon_*, language, ...).</summary>
    public string Template { get; set; } = "";

    /// <summary>Push and in-app only.</summary>
    public string? Title { get; set; }
}

public sealed class PlaybookCoupon
{
    public string Item { get; set; } = "";

    public decimal Value { get; set; }

    /// <summary>ISO 4217, three letters.</summary>
    public string Currency { get; set; } = "CNY";

    /// <summary>Valid from the send for this many days.</summary>
    public int ValidDays { get; set; } = 7;
}
