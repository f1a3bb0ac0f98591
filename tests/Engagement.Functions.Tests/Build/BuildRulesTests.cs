using System.Diagnostics;
using System.Text.Json;

namespace Engagement.Functions.Tests.Build;

/// <summary>
/// Directory.Build.props gives src projects the strict rules (warnings as errors, banned clocks)
/// and test projects not. It must decide by the repo's own src/ folder: a clone that sits under
/// any folder named "src" (~/src/engagement) once built its tests with src rules and failed.
/// </summary>
public sealed class BuildRulesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "engagement-build-" + Guid.NewGuid().ToString("N"), "src", "engagement");

    public BuildRulesTests()
    {
        var repo = RepoRoot();
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", "eng/BannedSymbols.txt" })
        {
            var target = Path.Combine(_root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(repo, file), target);
        }
    }

    [Fact]
    public void A_clone_under_a_src_folder_builds_its_tests_without_src_rules()
    {
        var (isSrc, warningsAsErrors) = Evaluate("tests/Probe.Tests/Probe.Tests.csproj");

        Assert.Equal("", isSrc);
        Assert.Equal("false", warningsAsErrors);
    }

    [Fact]
    public void A_clone_under_a_src_folder_still_builds_its_src_projects_with_src_rules()
    {
        var (isSrc, warningsAsErrors) = Evaluate("src/Probe/Probe.csproj");

        Assert.Equal("true", isSrc);
        Assert.Equal("true", warningsAsErrors);
    }

    private (string IsSrc, string WarningsAsErrors) Evaluate(string project)
    {
        var path = Path.Combine(_root, project);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "<Project Sdk=\"Microsoft.NET.Sdk\" />");

        var start = new ProcessStartInfo("dotnet", ["msbuild", path, "-getProperty:IsSrcProject", "-getProperty:TreatWarningsAsErrors"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "dotnet msbuild did not finish within 2 minutes");
        Assert.True(process.ExitCode == 0, $"dotnet msbuild exited {process.ExitCode}: {stdout.Result}{stderr.Result}");

        var properties = JsonDocument.Parse(stdout.Result).RootElement.GetProperty("Properties");
        return (properties.GetProperty("IsSrcProject").GetString()!, properties.GetProperty("TreatWarningsAsErrors").GetString()!);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Engagement.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Engagement.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(_root)!)!, recursive: true);
}
