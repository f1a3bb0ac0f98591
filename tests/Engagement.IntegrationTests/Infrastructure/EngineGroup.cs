namespace Engagement.IntegrationTests.Infrastructure;

/// <summary>The engines one test starts (an instance that crashes, another resuming on its storage), disposed last first.</summary>
public sealed class EngineGroup
{
    private readonly List<LocalEngine> _engines = [];

    public LocalEngine Add(LocalEngine engine)
    {
        _engines.Add(engine);
        return engine;
    }

    /// <summary>Not IAsyncDisposable: the test class's own DisposeAsync (xunit's IAsyncLifetime) calls it.</summary>
    public async Task DisposeAllAsync()
    {
        foreach (var engine in Enumerable.Reverse(_engines))
        {
            await engine.DisposeAsync();
        }
    }
}
