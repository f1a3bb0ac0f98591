namespace Engagement.Delivery;

public enum SmsEncoding
{
    Gsm7,
    Ucs2,
}

/// <summary>The final SMS body and what it costs: Twilio bills and paces in segments.</summary>
public sealed record SmsBody(string Text, SmsEncoding Encoding, int Segments);

/// <summary>
/// Finishes an SMS: brand signature first (【Brand】, as China's rules ask), the opt-out line last
/// ("回T退订" for +86 numbers, "Reply STOP to opt out" otherwise), then counts segments the way
/// carriers do: GSM-7 when every character is in the GSM 03.38 alphabet (160 septets, or 153 per
/// part; the extension characters take two and never straddle parts), else UCS-2 (70 UTF-16 units,
/// or 67 per part; a surrogate pair never straddles parts).
/// </summary>
public static class SmsText
{
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Extension = "^{}\\[~]|€\f";

    private static readonly HashSet<char> BasicSet = [.. Basic];
    private static readonly HashSet<char> ExtensionSet = [.. Extension];

    public static SmsBody Compose(string rendered, string? phoneE164, SmsOptions options)
    {
        var optOut = phoneE164 is not null && phoneE164.StartsWith("+86", StringComparison.Ordinal) ? options.OptOutLineCn : options.OptOutLine;
        var text = string.IsNullOrEmpty(options.BrandSignature) ? rendered : options.BrandSignature + rendered;
        if (!string.IsNullOrEmpty(optOut) && !text.Contains(optOut, StringComparison.Ordinal))
        {
            text += (text.Length > 0 && !char.IsWhiteSpace(text[^1]) ? " " : "") + optOut;
        }

        var (encoding, segments) = Measure(text);
        return new SmsBody(text, encoding, segments);
    }

    public static (SmsEncoding Encoding, int Segments) Measure(string text)
    {
        if (text.All(c => BasicSet.Contains(c) || ExtensionSet.Contains(c)))
        {
            var septets = text.Sum(c => ExtensionSet.Contains(c) ? 2 : 1);
            if (septets <= 160)
            {
                return (SmsEncoding.Gsm7, 1);
            }

            var parts = 1;
            var used = 0;
            foreach (var c in text)
            {
                var cost = ExtensionSet.Contains(c) ? 2 : 1;
                if (used + cost > 153)
                {
                    parts++;
                    used = 0;
                }

                used += cost;
            }

            return (SmsEncoding.Gsm7, parts);
        }

        if (text.Length <= 70)
        {
            return (SmsEncoding.Ucs2, 1);
        }

        var ucsParts = 1;
        var units = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var cost = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            if (units + cost > 67)
            {
                ucsParts++;
                units = 0;
            }

            units += cost;
            i += cost - 1;
        }

        return (SmsEncoding.Ucs2, ucsParts);
    }
}
