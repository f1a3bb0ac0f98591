using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Engagement.Playbooks;

/// <summary>
/// A playbook run as a campaign trigger (docs/contracts.md), written field by field in a fixed
/// order from nothing but the definition and the occurrence: the same run always gives the same
/// text, so a second enqueue (timer twice, catch-up, another instance, an operator) is a Duplicate
/// at the campaigns table, and a changed definition within a period is refused there rather than
/// sent twice. A playbook with level bands makes one trigger per band (<see cref="CampaignsOf"/>).
/// </summary>
public static class PlaybookTrigger
{
    /// <summary>The campaigns of a run: the run itself, or one per band (its id the run's plus the band's name).</summary>
    public static IReadOnlyList<PlaybookCampaign> CampaignsOf(PlaybookDefinition definition, string runId) =>
        definition.Bands.Count == 0
            ? [new PlaybookCampaign(runId, null)]
            : [.. definition.Bands.Select(b => new PlaybookCampaign($"{runId}-{b.Name}", b))];

    /// <param name="band">One of the definition's bands, or null for a playbook without bands.</param>
    public static string Build(PlaybookDefinition definition, PlaybookOccurrence run, PlaybookBand? band = null)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteString("campaignId", band is null ? run.RunId : $"{run.RunId}-{band.Name}");
            json.WriteString("name", band is null ? $"{run.Playbook} {run.Period}" : $"{run.Playbook} {run.Period} {band.Name}");
            json.WriteStartObject("audience");
            json.WriteStartArray("tiers");
            foreach (var tier in definition.Tiers)
            {
                json.WriteStringValue(tier);
            }

            json.WriteEndArray();
            if (band is not null)
            {
                json.WriteStartObject("levels");
                json.WriteNumber("min", band.MinLevel);
                json.WriteNumber("max", band.MaxLevel);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartArray("channels");
            foreach (var channel in definition.Channels)
            {
                json.WriteStartObject();
                json.WriteString("channel", channel.Channel);
                json.WriteString("template", channel.Template);
                if (channel.Title is { Length: > 0 } title)
                {
                    json.WriteString("title", title);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();

            // sendAt is the occurrence: a run asked for ahead of its time waits for it; a late one sends at once
            json.WriteString("sendAt", Timestamp(run.At));
            json.WriteString("expiresAt", Timestamp(run.At.AddDays(definition.ExpiresAfterDays)));
            json.WriteNumber("holdoutPercent", definition.HoldoutPercent);
            json.WriteString("holdoutKey", run.Playbook);
            var coupons = CouponsOf(definition, band);
            if (coupons.Count > 0)
            {
                Campaigns.CouponOffer.WriteArray(json, coupons.Select(c => new Campaigns.CouponOffer(c.Item, c.Value, c.Currency, c.ValidDays)));
            }

            if (band is { Variables.Count: > 0 })
            {
                json.WriteStartObject("variables");
                foreach (var (name, value) in band.Variables.OrderBy(v => v.Key, StringComparer.Ordinal))
                {
                    json.WriteString(name, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>What a campaign of the run issues: the definition's coupons, then its band's (the band's benefit).</summary>
    public static IReadOnlyList<PlaybookCoupon> CouponsOf(PlaybookDefinition definition, PlaybookBand? band) =>
        band is null ? definition.Coupons : [.. definition.Coupons, .. band.Coupons];

    public static DateTimeOffset ExpiresAt(PlaybookDefinition definition, PlaybookOccurrence run) => run.At.AddDays(definition.ExpiresAfterDays);

    private static string Timestamp(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One campaign of a playbook run: the run's own, or a level band's (<see cref="Band"/>).</summary>
public sealed record PlaybookCampaign(string CampaignId, PlaybookBand? Band)
{
    /// <summary>For people: <c>levels 1-3</c>, or empty without a band.</summary>
    public string Levels => Band is { } b ? new Campaigns.LevelRange(b.MinLevel, b.MaxLevel).ToString() : "";
}
