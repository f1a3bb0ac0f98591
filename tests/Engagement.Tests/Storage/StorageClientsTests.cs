using Engagement.Storage;
using Microsoft.Extensions.Options;

namespace Engagement.Tests.Storage;

/// <summary>In Azure the engine reaches storage by identity: service URIs from the account name, no key anywhere.</summary>
public sealed class StorageClientsTests
{
    private static StorageClients Create(StorageOptions options) => new(Options.Create(options), new StorageRequestCounter(), new StorageLatency(TimeProvider.System));

    [Fact]
    public void AccountName_GivesIdentityClientsOnTheAccountsServiceUris()
    {
        var clients = Create(new StorageOptions { AccountName = "stengabc123", ClientId = "00000000-0000-0000-0000-000000000001" });

        Assert.True(clients.UsesIdentity);
        Assert.Equal(new Uri("https://stengabc123.table.core.windows.net"), clients.TableEndpoint);
        Assert.Equal(new Uri("https://stengabc123.queue.core.windows.net"), clients.QueueEndpoint);
    }

    [Fact]
    public void ConnectionString_WinsOverTheAccountName()
    {
        var clients = Create(new StorageOptions
        {
            ConnectionString = "UseDevelopmentStorage=true",
            AccountName = "stengabc123",
        });

        Assert.False(clients.UsesIdentity);
        Assert.Equal("127.0.0.1", clients.TableEndpoint.Host);
    }
}
