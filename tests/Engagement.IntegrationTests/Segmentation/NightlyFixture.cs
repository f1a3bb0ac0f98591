using Engagement.Segmentation;
using Engagement.Users;

namespace Engagement.IntegrationTests.Segmentation;

/// <summary>3,000 demo users with history up to <see cref="AsOf"/>, and the first nightly run over them.</summary>
public sealed class NightlyFixture : IAsyncLifetime
{
    public const int Users = 3_000;

    public static readonly DateOnly AsOf = new(2026, 3, 31);

    public LocalEngine Engine { get; private set; } = null!;

    public NightlyRunSummary FirstRun { get; private set; } = null!;

    /// <summary>Every user's standing right after the first run.</summary>
    public Dictionary<string, RfmStanding?> StandingsAfterFirstRun { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Engine = await TestEngine.StartAsync();
        await Population.SeedAsync(Engine, Users, AsOf);
        FirstRun = await Engagement.Local.LocalNightly.RunAsync(Engine, AsOf, NightlyStartMode.NewAttempt, null, TestEngine.Deadline());
        StandingsAfterFirstRun = await Population.StandingsAsync(Engine);
    }

    public async Task DisposeAsync() => await Engine.DisposeAsync();
}
