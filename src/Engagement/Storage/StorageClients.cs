using System.Collections.Concurrent;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Engagement.Storage;

/// <summary>
/// The one place that turns <see cref="StorageOptions"/> into Table and Queue clients.
/// Tables and queues are created on first use (once per process), so a fresh account or a
/// fresh Azurite needs no set-up step.
/// </summary>
public sealed class StorageClients
{
    private readonly TableServiceClient _tables;
    private readonly QueueServiceClient _queues;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tableCache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queueCache = new(StringComparer.Ordinal);

    public StorageClients(IOptions<StorageOptions> options, StorageRequestCounter counter, StorageLatency latency)
    {
        var o = options.Value;
        Counter = counter;
        Latency = latency;
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        tableOptions.AddPolicy(latency, HttpPipelinePosition.PerRetry);
        // Plain JSON on the wire: the Functions host is set to messageEncoding "none" to match,
        // and handlers still accept base64 from producers on the Functions default.
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        queueOptions.AddPolicy(counter.Queues, HttpPipelinePosition.PerRetry);
        queueOptions.AddPolicy(latency, HttpPipelinePosition.PerRetry);

        UsesIdentity = string.IsNullOrWhiteSpace(o.ConnectionString);
        if (!UsesIdentity)
        {
            _tables = new TableServiceClient(o.ConnectionString, tableOptions);
            _queues = new QueueServiceClient(o.ConnectionString, queueOptions);
        }
        else
        {
            // On Azure the user-assigned identity (ClientId); on an operator's machine their az/azd login.
            TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = o.ClientId });
            _tables = new TableServiceClient(new Uri($"https://{o.AccountName}.table.core.windows.net"), credential, tableOptions);
            _queues = new QueueServiceClient(new Uri($"https://{o.AccountName}.queue.core.windows.net"), credential, queueOptions);
        }
    }

    public StorageRequestCounter Counter { get; }

    /// <summary>Every request's duration (each try), for benchmarks.</summary>
    public StorageLatency Latency { get; }

    /// <summary>Where the tables are (the CLI says which storage it works on; tests check identity mode).</summary>
    public Uri TableEndpoint => _tables.Uri;

    public Uri QueueEndpoint => _queues.Uri;

    /// <summary>True when the clients authenticate with Entra ID (account name), false with a connection string.</summary>
    public bool UsesIdentity { get; }

    public Task<TableClient> TableAsync(string name, CancellationToken cancellationToken = default) =>
        _tableCache.GetOrAdd(name, n => new Lazy<Task<TableClient>>(async () =>
        {
            var client = _tables.GetTableClient(n);
            await client.CreateIfNotExistsAsync(cancellationToken);
            return client;
        })).Value;

    public Task<QueueClient> QueueAsync(string name, CancellationToken cancellationToken = default) =>
        _queueCache.GetOrAdd(name, n => new Lazy<Task<QueueClient>>(async () =>
        {
            var client = _queues.GetQueueClient(n);
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            return client;
        })).Value;
}
