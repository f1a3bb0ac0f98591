using Engagement.Delivery;
using Engagement.Delivery.Twilio;
using Engagement.Users;
using Twilio.Exceptions;

namespace Engagement.Tests.Delivery;

public class TwilioErrorCodesTests
{
    [Theory]
    [InlineData("undelivered", "30003")]
    [InlineData("undelivered", "30005")]
    [InlineData("undelivered", "30006")]
    [InlineData("failed", "30003")]
    [InlineData("failed", "30006")]
    public void UserEffectOfCallback_UnreachableNumber_IsInvalidPhone(string status, string code)
    {
        Assert.Equal(UserEffect.InvalidPhone, TwilioErrorCodes.UserEffectOfCallback(status, code));
    }

    [Theory]
    [InlineData("undelivered")]
    [InlineData("failed")]
    public void UserEffectOfCallback_21610_IsOptedOut(string status)
    {
        Assert.Equal(UserEffect.OptedOut, TwilioErrorCodes.UserEffectOfCallback(status, "21610"));
    }

    [Theory]
    [InlineData("delivered", "30006")]
    [InlineData("sent", "21610")]
    [InlineData("undelivered", null)]
    [InlineData("undelivered", "30007")]
    [InlineData("undelivered", "")]
    [InlineData("undelivered", "not-a-code")]
    // create-call codes: a callback does not report them, so they suppress nothing there
    [InlineData("undelivered", "21211")]
    [InlineData("failed", "21614")]
    public void UserEffectOfCallback_OtherStatusesAndCodes_DoNothing(string status, string? code)
    {
        Assert.Null(TwilioErrorCodes.UserEffectOfCallback(status, code));
    }

    [Theory]
    [InlineData(21211, "invalid-phone")]
    [InlineData(21612, "invalid-phone")]
    [InlineData(21614, "invalid-phone")]
    [InlineData(21610, "opted-out")]
    [InlineData(30005, "invalid-phone")]
    [InlineData(30006, "invalid-phone")]
    public void OfApi_CodesAboutTheRecipient_AreRejectionsWithTheirUserEffect(int code, string effect)
    {
        var known = TwilioErrorCodes.OfApi(code);

        Assert.NotNull(known);
        Assert.Equal((SendStatus.Rejected, effect), (known.Send, known.UserEffect));
    }

    [Theory]
    [InlineData(TwilioErrorCodes.TooManyRequests, "throttled")]
    [InlineData(TwilioErrorCodes.AuthenticationFailed, "provider-auth")]
    public void OfApi_CodesAboutUs_AreNotSentWithoutUserEffect(int code, string reason)
    {
        var known = TwilioErrorCodes.OfApi(code);

        Assert.NotNull(known);
        Assert.Equal((SendStatus.NotSent, reason, (string?)null), (known.Send, known.Reason, known.UserEffect));
    }

    [Theory]
    [InlineData(30003)] // a delivery report only
    [InlineData(21408)]
    [InlineData(0)]
    public void OfApi_CodesTheSenderDoesNotActOn_AreNull(int code)
    {
        Assert.Null(TwilioErrorCodes.OfApi(code));
    }

    [Fact]
    public void All_EveryCode_HasAMeaningAndIsReportedSomewhere()
    {
        Assert.All(TwilioErrorCodes.All, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.Meaning));
            Assert.False(string.IsNullOrWhiteSpace(c.Reason));
            Assert.NotEqual((TwilioReport)0, c.ReportedBy);
        });
    }

    [Fact]
    public void Classify_EveryRejectionCodeOfTheTable_IsTheSendersVerdictToo()
    {
        foreach (var c in TwilioErrorCodes.All.Where(c => c.ReportedBy.HasFlag(TwilioReport.Api) && c.Send == SendStatus.Rejected))
        {
            var result = TwilioSmsSender.Classify(new ApiException(c.Code, 400, "boom", "https://www.twilio.com/docs/errors/" + c.Code, null, null));

            Assert.Equal((SendStatus.Rejected, c.UserEffect, $"twilio-{c.Code} {c.Reason}"), (result.Status, result.UserEffect, result.Reason));
        }
    }
}
