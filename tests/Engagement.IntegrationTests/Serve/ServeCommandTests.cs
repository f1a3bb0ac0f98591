using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Engagement.Local.Fakes;

namespace Engagement.IntegrationTests.Serve;

/// <summary>The real <c>engage serve</c> process: it listens where it says, answers a webhook, and a SIGTERM ends it cleanly (exit 0).</summary>
public sealed partial class ServeCommandTests : IAsyncLifetime
{
    private LocalEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync();

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Serve_AnswersOnItsPort_AndStopsCleanlyOnSigterm()
    {
        var cli = typeof(ServeCommandTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "EngageCli").Value!;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { cli, "serve", "--port", "0", "--public-url", "https://abc.ngrok.example" })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["Storage__ConnectionString"] = _engine.Azurite!.ConnectionString;
        psi.Environment["Twilio__AccountSid"] = TwilioFake.AccountSid;
        psi.Environment["Twilio__AuthToken"] = "serve-process-token";
        psi.Environment["Twilio__From"] = "+14155550199";
        psi.Environment["COLUMNS"] = "400"; // one line per message, however Spectre wraps

        using var process = Process.Start(psi)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data is not null && ListeningOn().Match(e.Data) is { Success: true } m)
            {
                listening.TrySetResult(new Uri(m.Groups[1].Value));
            }
        };
        process.BeginOutputReadLine();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var baseUrl = await listening.Task.WaitAsync(TestEngine.Deadline());
            using var http = new HttpClient();
            var forged = TwilioFake.Inbound(new Uri("https://abc.ngrok.example/api/twilio/inbound"), "+8613900660000", "+14155550199", "STOP", "someone-elses-token");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/api/twilio/inbound")) { Content = new StringContent(forged.FormBody, Encoding.UTF8, "application/x-www-form-urlencoded") };
            request.Headers.Add("X-Twilio-Signature", forged.Signature);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await http.SendAsync(request, TestEngine.Deadline())).StatusCode);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestEngine.Deadline());
            }

            await process.WaitForExitAsync(TestEngine.Deadline());
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
            lock (output)
            {
                Assert.Contains("Stopped: 0 webhook(s) received, 1 refused", output.ToString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [GeneratedRegex(@"Listening on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex ListeningOn();
}
