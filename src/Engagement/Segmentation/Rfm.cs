using Engagement.Activity;

namespace Engagement.Segmentation;

/// <summary>Raw RFM inputs for one user as of a day. Recency in days, frequency in active days, monetary in minor units.</summary>
public readonly record struct RfmValues(bool HasHistory, long RecencyDays, long Frequency, long MonetaryMinor)
{
    public static readonly RfmValues NoHistory = new(false, 0, 0, 0);

    public static RfmValues From(ActivityAggregate activity, int asOfDay, int frequencyWindowDays, int monetaryWindowDays) =>
        activity.LastActiveDay is { } last
            // activity after the as-of day (late ingest while the run is going) counts as "today"
            ? new RfmValues(true, Math.Max(0, asOfDay - last), activity.ActiveDaysIn(asOfDay, frequencyWindowDays), activity.SpendIn(asOfDay, monetaryWindowDays))
            : NoHistory;
}
