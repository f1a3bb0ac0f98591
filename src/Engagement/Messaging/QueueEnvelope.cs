using System.Text;

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

        if (trimmed[0] is '{' or '[')
        {
            return RawBody;
        }

        var buffer = new byte[trimmed.Length];
        if (Convert.TryFromBase64Chars(trimmed, buffer, out var written))
        {
            try
            {
                var decoded = new UTF8Encoding(false, true).GetString(buffer, 0, written);
                if (decoded.AsSpan().TrimStart() is [ '{' or '[', ..])
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
}
