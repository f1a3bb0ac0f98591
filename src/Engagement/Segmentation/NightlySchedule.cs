using NCrontab;

namespace Engagement.Segmentation;

/// <summary>
/// The nightly timer's schedule, an app setting the Functions host reads as %NightlySchedule%.
/// Six-field NCRONTAB (with seconds), evaluated in UTC on Flex/Linux Consumption plans.
/// </summary>
public static class NightlySchedule
{
    public const string SettingName = "NightlySchedule";

    /// <summary>18:00 UTC = 02:00 Asia/Shanghai (UTC+8, no daylight saving).</summary>
    public const string Default = "0 0 18 * * *";

    /// <summary>Parses with NCrontab, as the Functions host does; throws a FormatException naming the setting.</summary>
    public static CrontabSchedule Parse(string expression)
    {
        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        return schedule ?? throw new FormatException($"{SettingName} '{expression}' is not a six-field NCRONTAB expression (sec min hour day month weekday).");
    }
}
