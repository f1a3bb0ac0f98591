using System.Text.RegularExpressions;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Messaging;
using Engagement.Segmentation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Playbooks;

/// <summary>
/// Refuses a bad playbook at start-up, each problem naming its setting
/// (<c>Playbooks:winback:Coupons:0:Value</c>). Last, a sample run of each playbook goes through the
/// campaign trigger parser, so a template that does not render (or anything else the queue handler
/// would dead-letter) stops the start instead of the first run.
/// </summary>
public sealed partial class PlaybookOptionsValidator(IServiceProvider services) : IValidateOptions<PlaybookOptions>
{
    // resolved when validating, not when the validator is made: the parser reads other sections'
    // options, and when one of those is invalid its own validation names it (once), not this one
    private TierClassifier? _classifier;
    private MessageTemplates? _templates;
    private CampaignTriggerParser? _parser;

    /// <summary>The period a sample run is checked with (any valid one: its id must be a valid campaign id).</summary>
    private const string SamplePeriod = "2026-12-01";

    public ValidateOptionsResult Validate(string? name, PlaybookOptions options)
    {
        try
        {
            Resolve();
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();
        if (options.SmsPricePerSegment < 0)
        {
            errors.Add("Playbooks:SmsPricePerSegment must be 0 or more");
        }

        if (!CurrencyPattern().IsMatch(options.SmsPriceCurrency))
        {
            errors.Add($"Playbooks:SmsPriceCurrency '{options.SmsPriceCurrency}' is not a three-letter currency code (e.g. CNY)");
        }

        errors.AddRange(options.UnknownKeys.Select(k => $"{k} is not a playbook setting (see Playbooks__NAME in the README's configuration table)"));
        var defaults = PlaybookDefaults.Create();
        foreach (var (playbook, definition) in options.Definitions)
        {
            if (!defaults.ContainsKey(playbook) && definition.Tiers.Count == 0 && definition.Channels.Count == 0)
            {
                errors.Add($"Playbooks:{playbook}: not a known playbook ({string.Join(", ", defaults.Keys)}); a new one needs Tiers, Channels and a Schedule");
                continue;
            }

            var before = errors.Count;
            Check(playbook, definition, errors);
            if (errors.Count == before)
            {
                CheckTrigger(playbook, definition, errors);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The problems of one definition, each naming its setting (used at start-up and by the CLI's preview).</summary>
    public IReadOnlyList<string> Problems(string playbook, PlaybookDefinition definition)
    {
        Resolve();
        var errors = new List<string>();
        Check(playbook, definition, errors);
        if (errors.Count == 0)
        {
            CheckTrigger(playbook, definition, errors);
        }

        return errors;
    }

    private void Resolve()
    {
        _classifier ??= services.GetRequiredService<TierClassifier>();
        _templates ??= services.GetRequiredService<MessageTemplates>();
        _parser ??= services.GetRequiredService<CampaignTriggerParser>();
        _ = services.GetRequiredService<IOptions<SmsOptions>>().Value;
        _ = services.GetRequiredService<IOptions<CampaignOptions>>().Value;
    }

    private TierClassifier Classifier => _classifier!;

    private void Check(string playbook, PlaybookDefinition d, List<string> errors)
    {
        var at = $"Playbooks:{playbook}";
        if (!NamePattern().IsMatch(playbook))
        {
            errors.Add($"{at}: a playbook name is 1-40 lowercase letters, digits or '-', starting with a letter (it begins every run id)");
        }

        if (PlaybookSchedule.Parse(d.Schedule) is null)
        {
            errors.Add($"{at}:Schedule '{d.Schedule}' is not a six-field NCRONTAB expression (sec min hour day month weekday), in UTC");
        }

        if (d.Tiers.Count == 0)
        {
            errors.Add($"{at}:Tiers: at least one tier (known: {string.Join(", ", Classifier.Tiers)})");
        }

        for (var i = 0; i < d.Tiers.Count; i++)
        {
            if (!Classifier.Tiers.Contains(d.Tiers[i]))
            {
                errors.Add($"{at}:Tiers:{i}: unknown tier '{d.Tiers[i]}' (known: {string.Join(", ", Classifier.Tiers)})");
            }
        }

        if (d.Channels.Count == 0)
        {
            errors.Add($"{at}:Channels: at least one of {string.Join(", ", Channels.All)}");
        }

        for (var i = 0; i < d.Channels.Count; i++)
        {
            var c = d.Channels[i];
            if (!Channels.All.Contains(c.Channel))
            {
                errors.Add($"{at}:Channels:{i}:Channel: unknown channel '{c.Channel}' (known: {string.Join(", ", Channels.All)})");
            }
            else if (d.Channels.Take(i).Any(o => o.Channel == c.Channel))
            {
                errors.Add($"{at}:Channels:{i}:Channel: '{c.Channel}' is listed twice");
            }

            if (c.Channel is Channels.Push or Channels.InApp && string.IsNullOrWhiteSpace(c.Title))
            {
                errors.Add($"{at}:Channels:{i}:Title is required for {c.Channel}");
            }

            if (string.IsNullOrWhiteSpace(c.Template))
            {
                errors.Add($"{at}:Channels:{i}:Template is required");
            }
            else if (_templates!.Check(c.Template) is { } parseError)
            {
                errors.Add($"{at}:Channels:{i}:Template does not parse: {parseError}");
            }
        }

        CheckCoupons($"{at}:Coupons", d.Coupons, errors);
        CheckBands(at, d, errors);

        if (d.HoldoutPercent is < 0 or > 99)
        {
            errors.Add($"{at}:HoldoutPercent must be 0-99");
        }

        if (d.AttributionDays is < 1 or > 90)
        {
            errors.Add($"{at}:AttributionDays must be 1-90");
        }

        if (d.ExpiresAfterDays is < 1 or > 31)
        {
            errors.Add($"{at}:ExpiresAfterDays must be 1-31");
        }
    }

    private static void CheckCoupons(string at, List<PlaybookCoupon> coupons, List<string> errors)
    {
        for (var i = 0; i < coupons.Count; i++)
        {
            var c = coupons[i];
            if (!NamePattern().IsMatch(c.Item))
            {
                errors.Add($"{at}:{i}:Item '{c.Item}': 1-40 lowercase letters, digits or '-'");
            }
            else if (coupons.Take(i).Any(o => o.Item == c.Item))
            {
                errors.Add($"{at}:{i}:Item '{c.Item}' is listed twice (one coupon per item, user and run)");
            }

            if (c.Value <= 0)
            {
                errors.Add($"{at}:{i}:Value must be more than 0 (is {c.Value})");
            }

            if (!CurrencyPattern().IsMatch(c.Currency))
            {
                errors.Add($"{at}:{i}:Currency '{c.Currency}' is not a three-letter currency code (e.g. CNY)");
            }

            if (c.ValidDays is < 1 or > 366)
            {
                errors.Add($"{at}:{i}:ValidDays must be 1-366");
            }
        }
    }

    /// <summary>
    /// Level bands: named, each within 1-8, no level in two bands (a member would get two benefits). Gaps are allowed:
    /// a member day for levels 4-8 only is a choice, and <c>engage playbook list</c> shows the bands.
    /// </summary>
    private static void CheckBands(string at, PlaybookDefinition d, List<string> errors)
    {
        for (var i = 0; i < d.Bands.Count; i++)
        {
            var b = d.Bands[i];
            var where = $"{at}:Bands:{i}";
            if (!BandPattern().IsMatch(b.Name))
            {
                errors.Add($"{where}:Name '{b.Name}': 1-20 lowercase letters, digits or '-' (it ends the band's campaign id)");
            }
            else if (d.Bands.Take(i).Any(o => o.Name == b.Name))
            {
                errors.Add($"{where}:Name '{b.Name}' is listed twice");
            }

            if (b.MinLevel is < LevelRange.Lowest or > LevelRange.Highest || b.MaxLevel is < LevelRange.Lowest or > LevelRange.Highest || b.MinLevel > b.MaxLevel)
            {
                errors.Add($"{where}: MinLevel {b.MinLevel} and MaxLevel {b.MaxLevel} must be levels {LevelRange.Lowest}-{LevelRange.Highest}, MinLevel <= MaxLevel");
            }
            else if (d.Bands.Take(i).Select((o, j) => (o, j)).FirstOrDefault(p => p.o.MinLevel <= b.MaxLevel && b.MinLevel <= p.o.MaxLevel) is { o: { } other } overlap)
            {
                errors.Add($"{where}: levels {b.MinLevel}-{b.MaxLevel} overlap {at}:Bands:{overlap.j} ({other.MinLevel}-{other.MaxLevel}); a member would get both benefits");
            }

            CheckCoupons($"{where}:Coupons", b.Coupons, errors);
            foreach (var item in b.Coupons.Select(c => c.Item).Intersect(d.Coupons.Select(c => c.Item), StringComparer.Ordinal))
            {
                errors.Add($"{where}:Coupons: item '{item}' is also one of {at}:Coupons, which every band issues");
            }
        }
    }

    private void CheckTrigger(string playbook, PlaybookDefinition d, List<string> errors)
    {
        var sample = new PlaybookOccurrence(playbook, new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero), SamplePeriod, PlaybookSchedule.RunId(playbook, SamplePeriod));
        foreach (var campaign in PlaybookTrigger.CampaignsOf(d, sample.RunId))
        {
            try
            {
                _parser!.ParseAccepted(PlaybookTrigger.Build(d, sample, campaign.Band));
            }
            catch (MalformedMessageException ex)
            {
                // the parser names trigger fields: name the settings they come from
                var message = ChannelField().Replace(ex.Message, m => $"Playbooks:{playbook}:Channels:{m.Groups[1].Value}:{char.ToUpperInvariant(m.Groups[2].Value[0])}{m.Groups[2].Value[1..]}");
                errors.Add($"Playbooks:{playbook}: a run would be refused: {message}");
                return; // the bands share the channels: one message says it
            }
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,19}$")]
    private static partial Regex BandPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();

    [GeneratedRegex(@"channels\[(\d+)\](?: \([a-z]+\))?\.(template|title)")]
    private static partial Regex ChannelField();
}
