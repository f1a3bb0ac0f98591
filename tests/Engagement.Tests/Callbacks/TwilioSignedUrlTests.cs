using System.ComponentModel.DataAnnotations;
using Engagement.Callbacks;
using Engagement.Delivery.Twilio;

namespace Engagement.Tests.Callbacks;

/// <summary>Which URL a Twilio signature is checked against: the public one Twilio called, with the request's query.</summary>
public sealed class TwilioSignedUrlTests
{
    private static readonly Uri Public = new("https://engage.example.com/api/twilio/status");

    [Fact]
    public void ThePublicUrlReplacesSchemeHostAndPort_AndTheRequestKeepsItsQuery()
    {
        var seen = new Uri("http://10.0.0.7:8080/api/twilio/status?deliveryId=cb-9_s00%2Fsms%7C1%7Ccb000");
        Assert.Equal("https://engage.example.com/api/twilio/status?deliveryId=cb-9_s00%2Fsms%7C1%7Ccb000", TwilioWebhooks.SignedUrl(Public, seen).AbsoluteUri);
    }

    [Fact]
    public void ThePathComesFromThePublicUrl_ItsOwnQueryFromTheRequest()
    {
        // a proxy may rewrite the path too; a query in the setting is not what this request carried
        var configured = new Uri("https://engage.example.com:443/hooks/sms?ignored=1");
        var seen = new Uri("http://localhost:7071/api/twilio/inbound");
        Assert.Equal("https://engage.example.com/hooks/sms", TwilioWebhooks.SignedUrl(configured, seen).AbsoluteUri);
    }

    [Fact]
    public void WithNoPublicUrl_TheRequestUrlIsChecked()
    {
        var seen = new Uri("http://127.0.0.1:7071/api/twilio/status?deliveryId=x");
        Assert.Same(seen, TwilioWebhooks.SignedUrl(null, seen));
    }

    [Theory]
    [InlineData("StatusCallbackUrl", "/api/twilio/status")]
    [InlineData("InboundUrl", "ftp://engage.example.com/api/twilio/inbound")]
    public void APublicUrlThatIsNotAnAbsoluteHttpUrl_StopsStartUp(string setting, string value)
    {
        var options = new TwilioOptions { AccountSid = "ACx", AuthToken = "t", From = "+14155550199" };
        typeof(TwilioOptions).GetProperty(setting)!.SetValue(options, new Uri(value, UriKind.RelativeOrAbsolute));
        var problem = Assert.Single(options.Validate(new ValidationContext(options)));
        Assert.Equal($"Twilio:{setting} must be an absolute http(s) URL, not '{value}'.", problem.ErrorMessage);
    }
}
