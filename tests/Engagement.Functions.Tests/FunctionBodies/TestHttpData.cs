using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>An HTTP request as the worker's HTTP extension would bind it: URL, method, headers, body.</summary>
internal sealed class TestHttpRequestData : HttpRequestData
{
    public TestHttpRequestData(FunctionContext context, string method, Uri url, string body, IEnumerable<KeyValuePair<string, string>> headers)
        : base(context)
    {
        Method = method;
        Url = url;
        Body = new MemoryStream(Encoding.UTF8.GetBytes(body), writable: false);
        foreach (var (name, value) in headers)
        {
            Headers.Add(name, value);
        }
    }

    public override Stream Body { get; }

    public override HttpHeadersCollection Headers { get; } = [];

    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];

    public override Uri Url { get; }

    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];

    public override string Method { get; }

    public override HttpResponseData CreateResponse() => new TestHttpResponseData(FunctionContext);
}

/// <summary>The response a function writes, kept in memory for the test to read.</summary>
internal sealed class TestHttpResponseData(FunctionContext context) : HttpResponseData(context)
{
    public override HttpStatusCode StatusCode { get; set; }

    public override HttpHeadersCollection Headers { get; set; } = [];

    public override Stream Body { get; set; } = new MemoryStream();

    public override HttpCookies Cookies => throw new NotSupportedException("the webhooks set no cookies");

    public string BodyText() => Encoding.UTF8.GetString(((MemoryStream)Body).ToArray());

    public string? ContentType => Headers.TryGetValues("Content-Type", out var values) ? values.FirstOrDefault() : null;
}
