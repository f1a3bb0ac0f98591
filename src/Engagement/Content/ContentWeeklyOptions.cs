namespace Engagement.Content;

/// <summary>
/// The <c>Content:Weekly</c> section (issue 13): when the weekly content run fires and who it is for. The schedule is
/// six-field NCRONTAB in UTC, as playbook schedules are; the run is counted per ISO week of the ops zone
/// (<c>Activity:TimeZone</c>), so its id names that week whichever timer fires it.
/// </summary>
public sealed class ContentWeeklyOptions
{
    public const string SectionName = "Content:Weekly";

    /// <summary>Off: the timer starts no run (a run already recorded is still finished: its users were promised their item).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Monday 02:00 UTC, 10:00 in Shanghai.</summary>
    public string Schedule { get; set; } = "0 0 2 * * 1";

    /// <summary>The tier whose users get an item each week.</summary>
    public string Tier { get; set; } = "regular";

    /// <summary>Share of the tier recorded as held out each run (nothing sent), drawn per (user, run), for the interaction rate against the treated.</summary>
    public int HoldoutPercent { get; set; } = 10;

    /// <summary>Nothing of a run is handed off after its occurrence plus this many days; a later catch-up is reported as missed.</summary>
    public int ExpiresAfterDays { get; set; } = 3;

    /// <summary>An open or click counts for a run within this many days of the send (the holdout: of the run's occurrence); <c>engage playbook status content</c>.</summary>
    public int AttributionDays { get; set; } = 7;
}
