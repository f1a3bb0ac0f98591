using System.Diagnostics;
using System.Reflection;

namespace Engagement.IntegrationTests.Cli;

/// <summary>The built <c>engage</c> describes its commands' arguments as the README does (no storage needed for --help).</summary>
public sealed class CliHelpTests
{
    private static async Task<string> HelpAsync(params string[] command)
    {
        var cli = typeof(CliHelpTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "EngageCli").Value!;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(cli);
        foreach (var part in command)
        {
            psi.ArgumentList.Add(part);
        }

        psi.ArgumentList.Add("--help");
        psi.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(TestEngine.Deadline());
        Assert.Equal(0, process.ExitCode);
        return await output;
    }

    [Fact]
    public async Task InboxHelp_NamesItsArgumentUserId_AndTheCampaignOnlyAsTheReadOption()
    {
        var help = await HelpAsync("inbox");

        Assert.Contains("<USER_ID>", help, StringComparison.Ordinal);
        // the argument is the user (it once had the campaign commands' <CAMPAIGN_ID>); a campaign is named by --read only
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(help, "CAMPAIGN_ID"));
        Assert.Contains("--read <CAMPAIGN_ID>", help, StringComparison.Ordinal);
    }
}
