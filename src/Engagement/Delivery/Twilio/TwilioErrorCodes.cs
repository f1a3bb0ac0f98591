using Engagement.Users;

namespace Engagement.Delivery.Twilio;

/// <summary>Where Twilio reports an error code: the create call's answer, a status callback (a delivery report), or both.</summary>
[Flags]
public enum TwilioReport
{
    Api = 1,
    StatusCallback = 2,
}

/// <summary>One Twilio error code the engine acts on: what it means, what it says about the user, and what it means for the send.</summary>
public sealed record TwilioErrorCode(int Code, string Meaning, string? UserEffect, SendStatus Send, string Reason, TwilioReport ReportedBy);

/// <summary>
/// Twilio's error codes, in one place: the sender (<see cref="TwilioSmsSender.Classify(global::Twilio.Exceptions.ApiException)"/>)
/// and the status callbacks read them here. A code the table does not know is a plain rejection with no user effect.
/// See https://www.twilio.com/docs/api/errors.
/// </summary>
public static class TwilioErrorCodes
{
    public const int AuthenticationFailed = 20003;
    public const int TooManyRequests = 20429;

    private static readonly Dictionary<int, TwilioErrorCode> Known = new TwilioErrorCode[]
    {
        // our credentials, not the recipient: nothing was sent, so the delivery waits (planned) until the token is fixed
        new(AuthenticationFailed, "authentication failed", null, SendStatus.NotSent, "provider-auth", TwilioReport.Api),
        new(TooManyRequests, "too many requests", null, SendStatus.NotSent, "throttled", TwilioReport.Api),
        new(21211, "invalid 'To' phone number", UserEffect.InvalidPhone, SendStatus.Rejected, "invalid number", TwilioReport.Api),
        new(21612, "the 'To' number cannot be reached by this sender", UserEffect.InvalidPhone, SendStatus.Rejected, "invalid number", TwilioReport.Api),
        new(21614, "the 'To' number is not a mobile number", UserEffect.InvalidPhone, SendStatus.Rejected, "invalid number", TwilioReport.Api),
        new(21610, "the recipient replied STOP (unsubscribed)", UserEffect.OptedOut, SendStatus.Rejected, "opted out", TwilioReport.Api | TwilioReport.StatusCallback),
        new(30003, "unreachable destination handset", UserEffect.InvalidPhone, SendStatus.Rejected, "unreachable number", TwilioReport.StatusCallback),
        // normally reported by status callbacks; suppressed the same way if an API call says so
        new(30005, "unknown destination handset", UserEffect.InvalidPhone, SendStatus.Rejected, "unreachable number", TwilioReport.Api | TwilioReport.StatusCallback),
        new(30006, "landline or unreachable carrier", UserEffect.InvalidPhone, SendStatus.Rejected, "unreachable number", TwilioReport.Api | TwilioReport.StatusCallback),
    }.ToDictionary(c => c.Code);

    /// <summary>Every code the engine acts on.</summary>
    public static IReadOnlyCollection<TwilioErrorCode> All => Known.Values;

    /// <summary>What a code in the create call's answer means for the send (null: not one the engine acts on there).</summary>
    public static TwilioErrorCode? OfApi(int code) => Known.TryGetValue(code, out var c) && c.ReportedBy.HasFlag(TwilioReport.Api) ? c : null;

    /// <summary>What an <c>undelivered</c> / <c>failed</c> status callback with this code means for the user (null: nothing).</summary>
    public static string? UserEffectOfCallback(string status, string? code) =>
        status is "undelivered" or "failed"
        && int.TryParse(code, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
        && Known.TryGetValue(n, out var c) && c.ReportedBy.HasFlag(TwilioReport.StatusCallback)
            ? c.UserEffect
            : null;
}
