using System.Text;

namespace Engagement.Callbacks;

/// <summary>
/// Whether an inbound SMS is an opt-out: the whole message, trimmed, case- and width-insensitive,
/// is one of the keywords. Twilio's standard set (which Twilio itself enforces on Messaging
/// Services) plus what Chinese users send when an SMS says 回T退订: T, TD, 退订, 退.
/// </summary>
public static class OptOutKeywords
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
        "T", "TD", "退订", "退", "退订短信",
    };

    public static bool IsOptOut(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return false;
        }

        // NFKC folds full-width letters (ＳＴＯＰ, Ｔ) into ASCII; trailing punctuation ("STOP.", "退订！") is ignored
        var text = body.Normalize(NormalizationForm.FormKC).Trim().TrimEnd('.', '!', '?', '。', '！', '？', ' ').ToUpperInvariant();
        return Keywords.Contains(text);
    }
}
