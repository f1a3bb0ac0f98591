using System.Text;
using System.Text.Json;

namespace Engagement.Messaging;

/// <summary>A received queue message, whichever host received it (Functions trigger or the CLI's pump).</summary>
public sealed record QueueEnvelope(string Queue, string MessageId, string RawBody, long DequeueCount)
{
    /// <summary>
    /// The message text. Producers on the Functions default send base64; other SDKs send plain
    /// text. JSON always starts with '{' or '[', which base64 never does, so both are accepted.
    /// </summary>
    public string DecodeBody()
    {
        var trimmed = RawBody.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            throw new MalformedMessageException("the message is empty");
        }

        // JSON text: an object or array (also when broken, so the handler names the JSON error), or any
        // other JSON value, which the handler then refuses by what it is. Of base64's alphabet only
        // digits, true and null are JSON too; a base64 producer's object or array never looks like them.
        if (trimmed[0] is '{' or '[' || IsJson(RawBody))
        {
            return RawBody;
        }

        var buffer = new byte[trimmed.Length];
        if (Convert.TryFromBase64Chars(trimmed, buffer, out var written))
        {
            try
            {
                var decoded = new UTF8Encoding(false, true).GetString(buffer, 0, written);
                if (decoded.AsSpan().TrimStart() is [ '{' or '[', ..] || IsJson(decoded))
                {
                    return decoded;
                }
            }
            catch (DecoderFallbackException)
            {
                // not UTF-8 text: falls through to the error below
            }
        }

        throw new MalformedMessageException("the message is neither JSON text nor base64-encoded JSON");
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
