using System.Net.Sockets;
using Engagement.Delivery;
using Engagement.Delivery.Twilio;
using Twilio.Exceptions;

namespace Engagement.Tests.Delivery;

public class TwilioClassifyTests
{
    private static ApiException Api(int code, int status, string message = "boom") =>
        new(code, status, message, "https://www.twilio.com/docs/errors/" + code, null, null);

    private static ApiConnectionException Connection(Exception inner) =>
        new("Connection Error: POST https://api.twilio.com/2010-04-01/Accounts/AC/Messages.json", inner);

    // ---- ApiException ----

    [Fact]
    public void Classify_Http429_IsNotSentThrottled()
    {
        var result = TwilioSmsSender.Classify(Api(code: 0, status: 429));

        Assert.Equal(SendStatus.NotSent, result.Status);
        Assert.Equal("throttled", result.Reason);
        Assert.Null(result.UserEffect);
        Assert.Null(result.ProviderId);
    }

    [Fact]
    public void Classify_Code20429WithNon429Status_IsNotSentThrottled()
    {
        var result = TwilioSmsSender.Classify(Api(code: 20429, status: 400));

        Assert.Equal(SendStatus.NotSent, result.Status);
        Assert.Equal("throttled", result.Reason);
        Assert.Null(result.UserEffect);
    }

    [Fact]
    public void Classify_Code21610_IsRejectedOptedOut()
    {
        var result = TwilioSmsSender.Classify(Api(code: 21610, status: 400, "Attempt to send to unsubscribed recipient"));

        Assert.Equal(SendStatus.Rejected, result.Status);
        Assert.Equal("opted-out", result.UserEffect);
        Assert.Contains("21610", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(21211)]
    [InlineData(21614)]
    [InlineData(21612)]
    public void Classify_InvalidNumberCodes_AreRejectedInvalidPhone(int code)
    {
        var result = TwilioSmsSender.Classify(Api(code, status: 400));

        Assert.Equal(SendStatus.Rejected, result.Status);
        Assert.Equal("invalid-phone", result.UserEffect);
        Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public void Classify_Http5xx_IsUnknownNeverResent(int status)
    {
        var result = TwilioSmsSender.Classify(Api(code: 20500, status));

        // the message may have been taken: Unknown, never NotSent (which the retry/resend would act on)
        Assert.Equal(SendStatus.Unknown, result.Status);
        Assert.Equal($"provider-{status}", result.Reason);
        Assert.Null(result.UserEffect);
    }

    [Fact]
    public void Classify_Http5xxWithoutTwilioCode_IsUnknown()
    {
        var result = TwilioSmsSender.Classify(Api(code: 0, status: 500));

        Assert.Equal(SendStatus.Unknown, result.Status);
        Assert.Equal("provider-500", result.Reason);
    }

    [Fact]
    public void Classify_Other4xxCode_IsRejectedWithCodeInReasonAndNoUserEffect()
    {
        var result = TwilioSmsSender.Classify(Api(code: 21408, status: 400, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +8613900770002."));

        Assert.Equal(SendStatus.Rejected, result.Status);
        Assert.Null(result.UserEffect);
        // the code only: reasons are grouped and printed (campaign status), and Twilio's message quotes the number
        Assert.Equal("twilio-21408", result.Reason);
    }

    [Fact]
    public void Classify_AuthenticationFailure_IsNotSent()
    {
        // our credentials (a rotated or revoked token), not the recipient: nothing went out, so the delivery waits
        foreach (var result in new[] { TwilioSmsSender.Classify(Api(code: 20003, status: 401)), TwilioSmsSender.Classify(Api(code: 0, status: 401)) })
        {
            Assert.Equal(SendStatus.NotSent, result.Status);
            Assert.Equal("provider-auth", result.Reason);
            Assert.Null(result.UserEffect);
        }
    }

    // ---- ApiConnectionException ----

    [Fact]
    public void Classify_ConnectionRefused_IsNotSentConnectionRefused()
    {
        var refused = new SocketException((int)SocketError.ConnectionRefused);
        var http = new HttpRequestException("Connection refused (api.twilio.com:443)", refused);

        var result = TwilioSmsSender.Classify(Connection(http));

        Assert.Equal(SendStatus.NotSent, result.Status);
        Assert.Equal("connection-refused", result.Reason);
    }

    [Fact]
    public void Classify_TaskCanceled_IsUnknownTimeout()
    {
        var result = TwilioSmsSender.Classify(Connection(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout")));

        Assert.Equal(SendStatus.Unknown, result.Status);
        Assert.Equal("timeout", result.Reason);
    }

    [Fact]
    public void Classify_TimeoutException_IsUnknownTimeout()
    {
        var result = TwilioSmsSender.Classify(Connection(new TimeoutException("timed out")));

        Assert.Equal(SendStatus.Unknown, result.Status);
        Assert.Equal("timeout", result.Reason);
    }

    [Fact]
    public void Classify_HttpClientTimeoutShape_IsUnknownTimeout()
    {
        // what HttpClient throws on its own Timeout: TaskCanceledException wrapping a TimeoutException
        var canceled = new TaskCanceledException("The request was canceled", new TimeoutException("The operation was canceled."));

        var result = TwilioSmsSender.Classify(Connection(canceled));

        Assert.Equal(SendStatus.Unknown, result.Status);
        Assert.Equal("timeout", result.Reason);
    }

    [Fact]
    public void Classify_ConnectionReset_IsUnknownWithConnectionReason()
    {
        var reset = new IOException("Unable to read data from the transport connection: Connection reset by peer.",
            new SocketException((int)SocketError.ConnectionReset));
        var http = new HttpRequestException("An error occurred while sending the request.", reset);

        var result = TwilioSmsSender.Classify(Connection(http));

        Assert.Equal(SendStatus.Unknown, result.Status);
        Assert.NotNull(result.Reason);
        Assert.StartsWith("connection", result.Reason, StringComparison.Ordinal);
        Assert.NotEqual("connection-refused", result.Reason);
    }

    [Fact]
    public void Classify_BareIOException_IsUnknownWithConnectionReason()
    {
        var result = TwilioSmsSender.Classify(Connection(new IOException("Connection reset by peer")));

        Assert.Equal(SendStatus.Unknown, result.Status);
        Assert.NotNull(result.Reason);
        Assert.StartsWith("connection", result.Reason, StringComparison.Ordinal);
        Assert.NotEqual("connection-refused", result.Reason);
    }
}
