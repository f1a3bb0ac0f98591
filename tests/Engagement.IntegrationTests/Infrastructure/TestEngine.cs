using Azure.Data.Tables;
using Engagement.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Engagement.IntegrationTests.Infrastructure;

/// <summary>Starts engines over a fresh in-memory Azurite, with the settings every test here shares.</summary>
public static class TestEngine
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A token that cancels after two minutes: a stuck pump (a message that never becomes visible) or
    /// a handler waiting on a clock fails the test instead of hanging the run.
    /// </summary>
    public static CancellationToken Deadline() => new CancellationTokenSource(MaxWait).Token;

    /// <summary>Few shards keep the nightly run short (16 messages per run).</summary>
    public const int Shards = 8;

    public static Task<LocalEngine> StartAsync(
        TimeProvider? time = null,
        Action<IServiceCollection>? configureServices = null,
        LogLevel logLevel = LogLevel.Error,
        string? existingStorage = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["Storage:UserShards"] = Shards.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        if (existingStorage is not null)
        {
            values["Storage:ConnectionString"] = existingStorage;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return LocalEngine.StartAsync(
            configuration,
            azuriteDirectory: null,
            forceLocal: existingStorage is null,
            logLevel: logLevel,
            configureServices: services =>
            {
                // AddEngagement ran first and TryAdd-ed the system clock; ours must replace it
                if (time is not null)
                {
                    services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
                }

                configureServices?.Invoke(services);
            });
    }

    public static async Task<List<TableEntity>> QueryAsync(LocalEngine engine, string table, string filter)
    {
        var client = await engine.Get<StorageClients>().TableAsync(table);
        var rows = new List<TableEntity>();
        await foreach (var e in client.QueryAsync<TableEntity>(filter))
        {
            rows.Add(e);
        }

        return rows;
    }

    /// <summary>The errors-table rows recorded for messages of <paramref name="queue"/>.</summary>
    public static Task<List<TableEntity>> ErrorRowsAsync(LocalEngine engine, string queue) =>
        QueryAsync(engine, TableNames.Errors, TableClient.CreateQueryFilter($"PartitionKey eq {queue}"));

    /// <summary>Bodies of the messages waiting on the poison queue paired with <paramref name="queue"/> (peeked, not taken).</summary>
    public static async Task<List<string>> PeekPoisonAsync(LocalEngine engine, string queue)
    {
        var poison = await engine.Get<StorageClients>().QueueAsync(QueueNames.Poison(queue));
        var peeked = (await poison.PeekMessagesAsync(32)).Value;
        return peeked.Select(m => m.Body.ToString()).ToList();
    }

    public static async Task SendAsync(LocalEngine engine, string queue, string body)
    {
        var q = await engine.Get<StorageClients>().QueueAsync(queue);
        await q.SendMessageAsync(body);
    }

    /// <summary>
    /// Settings that send SMS through Twilio's client to <paramref name="twilio"/>, unpaced, with
    /// <paramref name="more"/> added or overriding (null removes nothing; give the value you want).
    /// </summary>
    public static Dictionary<string, string?> TwilioSettings(Local.Fakes.TwilioFake twilio, string authToken, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Twilio:AccountSid"] = "ACtest",
            ["Twilio:AuthToken"] = authToken,
            ["Twilio:From"] = "+14155550199",
            ["Twilio:BaseUrl"] = twilio.BaseUrl.ToString(),
            ["Twilio:SegmentsPerSecond"] = "0",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// The provider request timeout for tests that inject timeouts: the fakes hold a "timeout"
    /// request until the client gives up, so the outcome does not depend on it; it only has to be
    /// longer than any real answer of a loopback fake on a loaded machine (a send that merely took
    /// long must not turn into an ambiguous one).
    /// </summary>
    public const string ProviderTimeout = "00:00:10";

    /// <summary>
    /// Enqueues a campaign trigger and drains it and its delivery chunks as the Functions host would,
    /// until the deliveries queue is empty (provider retries coming back after a second included).
    /// With <paramref name="leaveDeferred"/>, chunks deferred on purpose (quiet hours, sendAt) are
    /// left on the queue: the pump stops once nothing has been visible for a second, which is only
    /// safe when everything else finishes without a delayed retry. Nothing may be dead-lettered.
    /// </summary>
    public static async Task RunCampaignAsync(LocalEngine engine, string trigger, bool leaveDeferred = false)
    {
        await SendAsync(engine, QueueNames.CampaignTriggers, trigger);
        Assert.Equal(0, (await engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, Deadline())).DeadLettered);
        var deliveries = leaveDeferred
            ? await engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, Deadline(), idleWhenOnlyDelayed: TimeSpan.FromSeconds(1))
            : await DrainAsync(engine, QueueNames.Deliveries);
        Assert.Equal(0, deliveries.DeadLettered);
    }

    /// <summary>
    /// Handles <paramref name="queue"/> until it is empty, however long retries take, and fails
    /// naming what is left after the cap (a message delayed on purpose would wait far longer).
    /// </summary>
    public static async Task<Local.Queues.PumpProgress> DrainAsync(LocalEngine engine, string queue)
    {
        using var cap = new CancellationTokenSource(MaxWait);
        try
        {
            return await engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(queue, null, cap.Token);
        }
        catch (OperationCanceledException) when (cap.IsCancellationRequested)
        {
            throw new TimeoutException($"{queue} still holds {await ApproximateCountAsync(engine, queue)} message(s) after {MaxWait.TotalSeconds:F0} s");
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming it after the cap (60 s).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"waited 60 s for {what}");
            }

            await Task.Delay(10);
        }
    }

    public static async Task<int> ApproximateCountAsync(LocalEngine engine, string queue)
    {
        var q = await engine.Get<StorageClients>().QueueAsync(queue);
        return (await q.GetPropertiesAsync()).Value.ApproximateMessagesCount;
    }

    /// <summary>Asserts a message was dead-lettered: on the poison queue verbatim, and recorded with an error naming the problem.</summary>
    public static async Task AssertDeadLetteredAsync(LocalEngine engine, string queue, string body, string errorFragment)
    {
        Assert.Contains(body, await PeekPoisonAsync(engine, queue));
        var rows = (await ErrorRowsAsync(engine, queue)).Where(r => r.GetString("Message") == body).ToList();
        var row = Assert.Single(rows);
        Assert.Contains(errorFragment, row.GetString("Error"), StringComparison.Ordinal);
    }

    /// <summary>Every ledger row of a campaign, across the per-shard ledger tables.</summary>
    public static Task<List<Engagement.Delivery.DeliveryRow>> LedgerAsync(LocalEngine engine, string campaignId) =>
        engine.Get<Engagement.Delivery.DeliveryLedger>().RowsAsync(campaignId, engine.Get<UserShards>().All, Deadline());

    /// <summary>The ledger table a row lives in (its PartitionKey ends with the shard): for tests that delete rows.</summary>
    public static Task<TableClient> LedgerTableOf(LocalEngine engine, Engagement.Delivery.DeliveryRow row) =>
        engine.Get<StorageClients>().TableAsync(TableNames.DeliveriesOf(row.Shard));
}
