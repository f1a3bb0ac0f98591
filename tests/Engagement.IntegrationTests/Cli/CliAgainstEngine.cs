namespace Engagement.IntegrationTests.Cli;

/// <summary>
/// For tests that run `engage` as an operator would (a child process on the real clock) against an
/// engine's Azurite: the engine to prepare and check data with, and the settings that point the CLI at it.
/// </summary>
public abstract class CliAgainstEngine : IAsyncLifetime
{
    private static readonly TimeSpan ExitCap = TimeSpan.FromSeconds(60);

    protected LocalEngine Engine { get; private set; } = null!;

    protected Dictionary<string, string?> Settings { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Engine = await TestEngine.StartAsync();
        Settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = Engine.Azurite!.ConnectionString,
            ["Storage:UserShards"] = TestEngine.Shards.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["NO_COLOR"] = "1",
        };
    }

    public async Task DisposeAsync() => await Engine.DisposeAsync();

    /// <summary>Runs `engage ARGS` to its end: the exit code and everything it printed.</summary>
    protected async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var engage = EngageProcess.Start(Settings, args);
        Assert.True(await engage.ExitsWithinAsync(ExitCap), $"engage {string.Join(' ', args)} still running");
        return (engage.Process.ExitCode, engage.Output + engage.Errors);
    }
}
