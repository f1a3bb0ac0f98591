using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.Local.Fakes;

/// <summary>A quiet Kestrel on 127.0.0.1 and a free port, for the provider fakes (and <c>engage serve</c>, on the address it is given).</summary>
public static class LoopbackHost
{
    /// <param name="listenUrl">Where to listen; port 0 takes a free one (the returned base URL names it).</param>
    public static async Task<(WebApplication App, Uri BaseUrl)> StartAsync(Action<WebApplication> map, CancellationToken cancellationToken, string listenUrl = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(listenUrl);
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    public static async ValueTask StopAsync(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
