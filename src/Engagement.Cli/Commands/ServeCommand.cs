using System.ComponentModel;
using System.Net;
using System.Runtime.InteropServices;
using Engagement.Delivery.Twilio;
using Engagement.Local;
using Engagement.Local.Serve;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

/// <summary>
/// The Functions app's webhooks and queue triggers on this machine (<see cref="WebhookServer"/>), for
/// development without the Functions host: tunnel to it and point a real Twilio number at it.
/// </summary>
internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--port <PORT>")]
        [Description("Port to listen on (the Functions host's by default; 0 = any free port).")]
        [DefaultValue(7071)]
        public int Port { get; init; } = 7071;

        [CommandOption("--bind <ADDRESS>")]
        [Description("IP address to listen on (by default only this machine, and a tunnel running on it, can call).")]
        [DefaultValue("127.0.0.1")]
        public string Bind { get; init; } = "127.0.0.1";

        [CommandOption("--public-url <URL>")]
        [Description("The public base URL Twilio calls (a tunnel: https://abc.ngrok.app). Signatures are checked against it, and SMS sent from here ask for status callbacks there.")]
        public string? PublicUrl { get; init; }

        public override ValidationResult Validate()
        {
            if (Port is < 0 or > 65535)
            {
                return ValidationResult.Error("--port takes 0-65535");
            }

            if (!IPAddress.TryParse(Bind, out _))
            {
                return ValidationResult.Error("--bind takes an IP address, e.g. 127.0.0.1");
            }

            return PublicUrl is null || Uri.TryCreate(PublicUrl, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)
                ? ValidationResult.Success()
                : ValidationResult.Error("--public-url takes an absolute http(s) URL, e.g. https://abc.ngrok.app");
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Spectre does not stop a command on Ctrl-C / SIGTERM: the first one stops the server and pumps
        // (exit 0); a second one while that takes long ends the process the default way
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        IConfiguration configuration = CliEnvironment.Configuration();
        if (settings.PublicUrl is not null)
        {
            configuration = new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(WebhookServer.PublicUrlSettings(new Uri(settings.PublicUrl))).Build();
        }

        await using var engine = await LocalEngine.StartAsync(configuration, azuriteDirectory: CliEnvironment.LocalDataDirectory, cancellationToken: stop.Token);
        if (engine.Azurite is not null)
        {
            AnsiConsole.MarkupLine($"[grey]No storage configured: using local Azurite with data in {Markup.Escape(CliEnvironment.LocalDataDirectory)}[/]");
        }

        var twilio = engine.Get<IOptions<TwilioOptions>>().Value;
        if (!twilio.IsConfigured)
        {
            AnsiConsole.MarkupLine("[yellow]Twilio is not configured (Twilio__AccountSid, Twilio__AuthToken, ...): the webhooks answer 404.[/]");
        }

        var address = IPAddress.Parse(settings.Bind);
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        await using var server = await WebhookServer.StartAsync(engine, $"http://{host}:{settings.Port}", line => AnsiConsole.MarkupLine(Markup.Escape(line)), stop.Token);
        AnsiConsole.MarkupLine($"Listening on [bold]{Markup.Escape(server.BaseUrl.ToString())}[/], working every engine queue; Ctrl-C stops.");
        foreach (var (kind, path) in WebhookServer.Routes)
        {
            var checkedAgainst = kind == Callbacks.CallbackKinds.TwilioInbound ? twilio.InboundUrl : twilio.StatusCallbackUrl;
            AnsiConsole.MarkupLine($"  POST {Markup.Escape(path)} ({Markup.Escape(kind)}): signature checked against "
                + (checkedAgainst is null ? "the URL the request arrives on" : Markup.Escape(checkedAgainst.ToString())));
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        AnsiConsole.MarkupLine("Stopping...");
        await server.StopAsync();
        var counts = server.Counts;
        AnsiConsole.MarkupLine($"Stopped: {counts.Received} webhook(s) received, {counts.Refused} refused, {counts.Handled} queue message(s) handled, {counts.DeadLettered} dead-lettered.");
        return 0;
    }
}
