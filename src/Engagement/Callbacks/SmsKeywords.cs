using System.Text;

namespace Engagement.Callbacks;

/// <summary>
/// Whether an inbound SMS is an opt-out or an opt-in: the whole message, trimmed, case- and
/// width-insensitive, is one of the keywords. Twilio's standard sets (which Twilio itself enforces
/// on Messaging Services with Advanced Opt-Out) plus what Chinese users send when an SMS says
/// 回T退订: T, TD, 退订, 退.
/// </summary>
public static class SmsKeywords
{
    private static readonly HashSet<string> OptOut = new(StringComparer.Ordinal)
    {
        "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
        "T", "TD", "退订", "退", "退订短信",
    };

    private static readonly HashSet<string> OptIn = new(StringComparer.Ordinal) { "START", "UNSTOP", "YES" };

    public static bool IsOptOut(string? body) => Normalized(body) is { } text && OptOut.Contains(text);

    public static bool IsOptIn(string? body) => Normalized(body) is { } text && OptIn.Contains(text);

    // NFKC folds full-width letters (ＳＴＯＰ, Ｔ) into ASCII; trailing punctuation ("STOP.", "退订！") is ignored
    private static string? Normalized(string? body) =>
        string.IsNullOrWhiteSpace(body) ? null : body.Normalize(NormalizationForm.FormKC).Trim().TrimEnd('.', '!', '?', '。', '！', '？', ' ').ToUpperInvariant();
}
