namespace Engagement.Content;

/// <summary>
/// The <c>Content</c> section: what the content catalogue accepts. A list left empty takes the default
/// (<see cref="ApplyDefaults"/>): the binder would otherwise append configured elements to default ones, so a
/// configured list replaces the default list whole.
/// </summary>
public sealed class ContentOptions
{
    public const string SectionName = "Content";

    public static readonly IReadOnlyList<string> DefaultLanguages = ["zh-CN", "en"];

    /// <summary>The languages a catalogue item may be in (<c>Content__Languages__0=zh-CN</c>); empty: <see cref="DefaultLanguages"/>.</summary>
    public List<string> Languages { get; set; } = [];

    internal void ApplyDefaults()
    {
        if (Languages.Count == 0)
        {
            Languages = [.. DefaultLanguages];
        }
    }
}
