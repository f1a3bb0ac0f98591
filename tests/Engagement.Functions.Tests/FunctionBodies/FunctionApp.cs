using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Local.Azurite;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>
/// The Functions app's composition (<see cref="FunctionsServiceCollectionExtensions.AddEngagementFunctions"/>,
/// started as a host so options are validated) over a fresh in-memory Azurite, with a fixed clock.
/// Function classes are made per invocation from a scope of the app's services with
/// <see cref="ActivatorUtilities"/>, as the worker's default activator does.
/// </summary>
internal sealed class FunctionApp : IAsyncDisposable
{
    /// <summary>12:00 in Shanghai (the ops zone): outside SMS quiet hours; the nightly run scores 2026-11-30.</summary>
    public static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);

    public static readonly DateOnly Yesterday = new(2026, 11, 30);

    /// <summary>Few shards keep a nightly run to eight messages.</summary>
    public const int Shards = 4;

    private readonly AzuriteLauncher _azurite;
    private readonly IHost _host;

    private FunctionApp(AzuriteLauncher azurite, IHost host, RecordedLogs logs)
    {
        _azurite = azurite;
        _host = host;
        Logs = logs;
    }

    public RecordedLogs Logs { get; }

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>Cancels after two minutes, so a stuck call fails the test instead of hanging the run.</summary>
    public static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    /// <param name="settings">Added to (or overriding) the settings a local host needs.</param>
    public static async Task<FunctionApp> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var azurite = await AzuriteLauncher.StartAsync(cancellationToken: Deadline());
        try
        {
            var values = new Dictionary<string, string?>(FunctionsHostBuilder.Minimal, StringComparer.Ordinal)
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Storage:ConnectionString"] = azurite.ConnectionString,
                ["Storage:UserShards"] = Shards.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                values[key] = value;
            }

            var logs = new RecordedLogs();
            var host = FunctionsHostBuilder.Build(values, services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(new FixedClock(Now)));
                services.AddLogging(b => b.AddProvider(logs));
            });
            await host.StartAsync(Deadline());
            return new FunctionApp(azurite, host, logs);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one invocation of a function of <typeparamref name="TFunctions"/>, as the worker would.</summary>
    public async Task<TResult> InvokeAsync<TFunctions, TResult>(string function, Func<TFunctions, FunctionContext, Task<TResult>> invoke)
        where TFunctions : class
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var context = new TestFunctionContext(scope.ServiceProvider, function, Deadline());
        var functions = ActivatorUtilities.CreateInstance<TFunctions>(context.InstanceServices);
        return await invoke(functions, context);
    }

    public Task InvokeAsync<TFunctions>(string function, Func<TFunctions, FunctionContext, Task> invoke)
        where TFunctions : class =>
        InvokeAsync<TFunctions, bool>(function, async (f, c) =>
        {
            await invoke(f, c);
            return true;
        });

    /// <summary>Runs the queue-trigger function <paramref name="function"/> (a [Function] name) on one message.</summary>
    public Task TriggerAsync(string function, QueueMessage message) => function switch
    {
        nameof(ActivityFunctions.IngestActivity) => InvokeAsync<ActivityFunctions>(function, (f, c) => f.IngestActivity(message, c.CancellationToken)),
        nameof(NightlyFunctions.NightlyShard) => InvokeAsync<NightlyFunctions>(function, (f, c) => f.NightlyShard(message, c.CancellationToken)),
        nameof(CampaignFunctions.CampaignTrigger) => InvokeAsync<CampaignFunctions>(function, (f, c) => f.CampaignTrigger(message, c.CancellationToken)),
        nameof(DeliveryFunctions.Deliver) => InvokeAsync<DeliveryFunctions>(function, (f, c) => f.Deliver(message, c.CancellationToken)),
        nameof(WebhookFunctions.ProviderCallbacks) => InvokeAsync<WebhookFunctions>(function, (f, c) => f.ProviderCallbacks(message, c.CancellationToken)),
        _ => throw new ArgumentException($"{function} is not a queue-trigger function", nameof(function)),
    };

    /// <summary>A queue message as the queue trigger binds it (id, body, how often the queue has handed it out).</summary>
    public static QueueMessage Message(string body, long dequeueCount = 1) =>
        QueuesModelFactory.QueueMessage(Guid.NewGuid().ToString(), "pop-receipt", body, dequeueCount, insertedOn: Now);

    public Task<QueueClient> QueueAsync(string queue) => Get<StorageClients>().QueueAsync(queue, Deadline());

    /// <summary>
    /// Hands every message of <paramref name="queue"/> to a queue-trigger function and deletes it once the
    /// function returns, as the host does, until a receive comes back empty (handlers enqueue follow-up
    /// work before they return, so that is the end of it). Returns how many were handled.
    /// </summary>
    public async Task<int> DrainAsync(string queue, string function)
    {
        var client = await QueueAsync(queue);
        var handled = 0;
        while (true)
        {
            var batch = (await client.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), Deadline())).Value;
            if (batch.Length == 0)
            {
                return handled;
            }

            foreach (var message in batch)
            {
                await TriggerAsync(function, message);
                await client.DeleteMessageAsync(message.MessageId, message.PopReceipt, Deadline());
                handled++;
            }
        }
    }

    /// <summary>Message bodies waiting on a queue (peeked, not taken).</summary>
    public async Task<List<string>> PeekAsync(string queue)
    {
        var client = await QueueAsync(queue);
        return (await client.PeekMessagesAsync(32, Deadline())).Value.Select(m => m.Body.ToString()).ToList();
    }

    public async Task<List<TableEntity>> QueryAsync(string table, string filter)
    {
        var client = await Get<StorageClients>().TableAsync(table, Deadline());
        var rows = new List<TableEntity>();
        await foreach (var row in client.QueryAsync<TableEntity>(filter, cancellationToken: Deadline()))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Rows of the errors table recorded for <paramref name="source"/> (a queue, or webhook-&lt;kind&gt;).</summary>
    public Task<List<TableEntity>> ErrorRowsAsync(string source) =>
        QueryAsync(TableNames.Errors, TableClient.CreateQueryFilter($"PartitionKey eq {source}"));

    public async Task<UserRecord> UserAsync(string userId) =>
        await Get<UserStore>().GetAsync(userId, Deadline()) ?? throw new Xunit.Sdk.XunitException($"user {userId} was not stored");

    /// <summary>Users with these profiles and a tier, as a nightly run would have left them.</summary>
    public async Task SeedUsersAsync(string tier, params (string UserId, UserProfile Profile)[] users)
    {
        await Get<UserStore>().UpsertProfilesAsync(users, 4, Deadline());
        var table = await Get<StorageClients>().TableAsync(TableNames.Users, Deadline());
        foreach (var (userId, _) in users)
        {
            await table.UpdateEntityAsync(new TableEntity(Get<UserShards>().Of(userId), userId) { [UserEntity.Tier] = tier }, Azure.ETag.All, TableUpdateMode.Merge, Deadline());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(Deadline());
        _host.Dispose();
        await _azurite.DisposeAsync();
    }
}
