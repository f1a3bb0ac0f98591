namespace Engagement.IntegrationTests.Infrastructure;

/// <summary>The engines one test starts (an instance that crashes, another resuming on its storage), disposed last first.</summary>
public sealed class EngineGroup : IAsyncDisposable
{
    private readonly List<LocalEngine> _engines = [];

    public LocalEngine Add(LocalEngine engine)
    {
        _engines.Add(engine);
        return engine;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in Enumerable.Reverse(_engines))
        {
            await engine.DisposeAsync();
        }
    }
}
