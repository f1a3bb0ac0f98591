using Azure.Data.Tables;
using Azure.Storage.Queues;
using Engagement.Local.Azurite;

namespace Engagement.IntegrationTests.Launcher;

/// <summary>The launcher the CLI's working commands use: data in a folder must survive a stop and a start.</summary>
public sealed class AzuriteLauncherTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("engage-azurite-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task PersistentFolder_WritesJustBeforeTheStop_AreThereAfterARestart()
    {
        await using (var first = await AzuriteLauncher.StartAsync(_folder))
        {
            var queue = new QueueClient(first.ConnectionString, "survives");
            await queue.CreateIfNotExistsAsync();
            await queue.SendMessageAsync("sent a moment before the stop");
            var table = new TableClient(first.ConnectionString, "survives");
            await table.CreateIfNotExistsAsync();
            await table.AddEntityAsync(new TableEntity("p", "r") { ["Value"] = 42 });
        }

        await using var second = await AzuriteLauncher.StartAsync(_folder);
        var peeked = (await new QueueClient(second.ConnectionString, "survives").PeekMessagesAsync(10)).Value;
        Assert.Equal("sent a moment before the stop", Assert.Single(peeked).Body.ToString());
        var row = await new TableClient(second.ConnectionString, "survives").GetEntityAsync<TableEntity>("p", "r");
        Assert.Equal(42, row.Value.GetInt32("Value"));
    }
}
