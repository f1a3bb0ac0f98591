using System.Text.RegularExpressions;

namespace Engagement.Users;

/// <summary>
/// Masks E.164 numbers in text shown to people (CLI listings of queued messages and errors):
/// "+8613900130002" becomes "+861*******02" — enough to tell numbers apart, not to dial one.
/// </summary>
public static partial class PhoneMask
{
    public static string Mask(string text) =>
        E164().Replace(text, m => m.Value[..4] + new string('*', m.Value.Length - 6) + m.Value[^2..]);

    // "+" then 7-15 digits, not part of a longer digit run
    [GeneratedRegex(@"\+\d{7,15}(?!\d)")]
    private static partial Regex E164();
}
