using Microsoft.Extensions.Time.Testing;

namespace Engagement.IntegrationTests.Activity;

/// <summary>
/// One engine for the ingest tests, on a fake clock stopped at 2026-04-01 12:00 in the ops zone
/// (with real-time timers: see <see cref="StoppedClock"/>). Tests share it and stay apart by using
/// their own user ids.
/// </summary>
public sealed class IngestFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 4, 1, 4, 0, 0, TimeSpan.Zero);

    public static readonly DateOnly Today = new(2026, 4, 1);

    public FakeTimeProvider Clock { get; } = new StoppedClock(Now);

    public LocalEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync() => Engine = await TestEngine.StartAsync(Clock);

    public async Task DisposeAsync() => await Engine.DisposeAsync();
}
