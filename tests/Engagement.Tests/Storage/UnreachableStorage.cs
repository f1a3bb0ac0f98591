using Engagement.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Tests.Storage;

/// <summary>
/// The engine wired to storage on a closed loopback port, counting requests: a unit test can prove that
/// something was decided before storage was touched (any request would fail, and is counted).
/// </summary>
public sealed class UnreachableStorage : IDisposable
{
    // Azurite's well-known development key; the endpoint is the discard port, where nothing listens
    private const string ConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "TableEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1";

    private readonly ServiceProvider _services;

    public UnreachableStorage()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:ConnectionString"] = ConnectionString })
            .Build();
        _services = new ServiceCollection().AddLogging().AddEngagement(configuration).BuildServiceProvider();
    }

    /// <summary>Storage requests sent so far (each one failed).</summary>
    public long Requests => _services.GetRequiredService<StorageRequestCounter>().Total;

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public void Dispose() => _services.Dispose();
}
