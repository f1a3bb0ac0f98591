using Azure;
using Azure.Data.Tables;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Local.Fakes;
using Engagement.Users;

namespace Engagement.IntegrationTests.Campaigns;

/// <summary>SMS through Twilio's own C# client to the loopback Twilio fake: what goes on the wire, permanent errors, and chaos with no duplicate.</summary>
public sealed class TwilioDeliveryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai
    private const int Users = 80;
    private TwilioFake _twilio = null!;
    private LocalEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _twilio = await TwilioFake.StartAsync();
        _engine = await TestEngine.StartAsync(new StoppedClock(Now), settings: TestEngine.TwilioSettings(
            _twilio,
            "not-a-secret",
            ("Twilio:StatusCallbackUrl", "https://engage.example.com/webhooks/twilio/status"),
            ("Twilio:MaxRetries", "0"),
            ("Twilio:RequestTimeout", TestEngine.ProviderTimeout),
            ("Delivery:NotSentRetryDelay", "00:00:00.200"),
            ("Delivery:UnknownResolveAfter", "00:00:00"),
            ("Twilio:CircuitMinimumThroughput", "1000"))); // these tests inject failures on purpose: keep the circuit closed
        await Population.SeedSmsRecipientsAsync(_engine, "t", "+861390013", Users, "regular");
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private static string Phone(int i) => $"t{i:D3}";

    private static string Number(int i) => "+861390013" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    private static string Trigger(string id) => """
        {
          "schemaVersion": 1, "campaignId": "ID", "name": "Member day",
          "audience": { "tiers": ["regular"] },
          "channels": [ { "channel": "sms", "template": "Member day: {{ discount }} off today" } ],
          "expiresAt": "2026-12-01T14:00:00+08:00",
          "variables": { "discount": "18%" }
        }
        """.Replace("\"ID\"", "\"" + id + "\"", StringComparison.Ordinal);

    private Task RunAsync(string id) => TestEngine.RunCampaignAsync(_engine, Trigger(id));

    private async Task<List<DeliveryRow>> LedgerAsync(string id) =>
        await TestEngine.LedgerAsync(_engine, id);

    [Fact]
    public async Task Campaign_SendsEachUserOneSmsThroughTwilio_WithSignatureValidityAndCallback()
    {
        await RunAsync("tw-1");

        var taken = _twilio.Taken.ToList();
        Assert.Equal(Users, taken.Count);
        Assert.Equal(Users, taken.Select(r => r.To).Distinct().Count());
        var first = taken[0];
        Assert.Equal("【Brand】Member day: 18% off today 回T退订", first.Body);
        Assert.Equal("+14155550199", first.From);
        Assert.Equal(7_200, first.ValidityPeriod); // until 14:00 Shanghai = 2 hours after now
        Assert.StartsWith("https://engage.example.com/webhooks/twilio/status?deliveryId=tw-1_s", first.StatusCallback, StringComparison.Ordinal);
        var ledger = await LedgerAsync("tw-1");
        Assert.All(ledger, r => Assert.Equal(DeliveryStates.Accepted, r.State));
        Assert.Equal(taken.Select(r => r.Sid).Order(), ledger.Select(r => r.ProviderId).Order());
    }

    [Fact]
    public async Task PermanentErrors_NotRetried_AndTheUserIsUpdated()
    {
        _twilio.Faults.ErrorCodes[Number(1)] = 21610; // replied STOP at the carrier
        _twilio.Faults.ErrorCodes[Number(2)] = 21211; // not a valid number

        await RunAsync("tw-perm");

        Assert.Single(_twilio.Requests, r => r.To == Number(1));
        Assert.Single(_twilio.Requests, r => r.To == Number(2));
        var ledger = await LedgerAsync("tw-perm");
        Assert.Equal(DeliveryStates.Failed, ledger.Single(r => r.UserId == Phone(1)).State);
        var users = await _engine.Get<StorageClients>().TableAsync(TableNames.Users);
        var shards = _engine.Get<UserShards>();
        var optedOut = (await users.GetEntityAsync<TableEntity>(shards.Of(Phone(1)), Phone(1))).Value;
        Assert.False(optedOut.GetBoolean(UserEntity.ConsentSms));
        var invalid = (await users.GetEntityAsync<TableEntity>(shards.Of(Phone(2)), Phone(2))).Value;
        Assert.True(invalid.GetBoolean(UserEntity.PhoneSuppressed));

        // the next campaign does not even try them
        await RunAsync("tw-perm-2");
        var next = await LedgerAsync("tw-perm-2");
        Assert.Equal("no-consent", next.Single(r => r.UserId == Phone(1)).Reason);
        Assert.Equal("phone-suppressed", next.Single(r => r.UserId == Phone(2)).Reason);
        Assert.Single(_twilio.Requests, r => r.To == Number(1));
    }

    [Fact]
    public async Task ProviderChaos_EveryoneSentOnceOrRecordedUnknown_NoDuplicate()
    {
        // shares drawn from the fake's seed, and the 3rd request throttled and the 7th timed out whatever they draw
        _twilio.Faults.ServerErrorAfterAccept = 0.20;
        _twilio.Faults.Throttle = 0.10;
        _twilio.Faults.TimeoutAfterAccept = 0.05;
        _twilio.Faults.Script = c => c.Index switch { 3 => TwilioFault.Throttle, 7 => TwilioFault.TimeoutAfterAccept, _ => null };

        await RunAsync("tw-chaos");

        var ledger = await LedgerAsync("tw-chaos");
        Assert.Equal(Users, ledger.Count);
        // nothing left in flight: every recipient ended accepted, or unknown with the reason
        Assert.All(ledger, r => Assert.Contains(r.State, new[] { DeliveryStates.Accepted, DeliveryStates.Unknown }));
        Assert.All(ledger.Where(r => r.State == DeliveryStates.Unknown), r => Assert.Matches("^(provider-500|timeout)$", r.Reason!));
        // no number got two messages, and every accepted one went out exactly once
        var takenPerNumber = _twilio.Taken.GroupBy(r => r.To).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(takenPerNumber, kv => Assert.Equal(1, kv.Value));
        Assert.Equal(Users, takenPerNumber.Count);
        Assert.Contains(_twilio.Requests, r => r.Status == 429); // the chaos really happened
        Assert.Contains(ledger, r => (r.State, r.Reason) == (DeliveryStates.Unknown, "timeout"));
    }

    [Fact]
    public async Task ThrottledThreeTimes_SentOnceAndCountedOnceAgainstTheCaps()
    {
        _twilio.Faults.ThrottleTimes[Number(7)] = 3; // each 429 puts the delivery back; the cap is 3 messages a week

        await RunAsync("tw-throttled");

        Assert.Equal(4, _twilio.Requests.Count(r => r.To == Number(7)));
        Assert.Single(_twilio.Taken, r => r.To == Number(7));
        var ledger = await LedgerAsync("tw-throttled");
        Assert.Equal(DeliveryStates.Accepted, ledger.Single(r => r.UserId == Phone(7)).State);
        var shard = _engine.Get<UserShards>().Of(Phone(7));
        var touchLogs = await _engine.Get<StorageClients>().TableAsync(TableNames.TouchesOf(shard));
        var log = (await touchLogs.GetEntityAsync<TableEntity>(shard, Phone(7))).Value;
        Assert.Single(TouchLog.Parse(log.GetString(UserEntity.Touches)));
    }

    [Fact]
    public async Task UnknownAfterA5xx_FoundInTwiliosRecords_AcceptedAndNotResent()
    {
        _twilio.Faults.Script = _ => TwilioFault.ServerErrorAfterAccept; // Twilio took every message, then answered 500
        await RunAsync("tw-5xx");
        _twilio.Faults.Script = null;
        Assert.All(await LedgerAsync("tw-5xx"), r => Assert.Equal(DeliveryStates.Unknown, r.State));
        var taken = _twilio.Taken.Count();

        await _engine.Get<CampaignResume>().ResumeAsync("tw-5xx", TestEngine.Deadline());
        await TestEngine.DrainAsync(_engine, QueueNames.Deliveries);

        Assert.Equal(taken, _twilio.Taken.Count()); // nothing sent twice
        var ledger = await LedgerAsync("tw-5xx");
        Assert.All(ledger, r => Assert.Equal((DeliveryStates.Accepted, "resolved-by-lookup"), (r.State, r.Reason)));
        Assert.Equal(_twilio.Taken.Select(r => r.Sid).Order(), ledger.Select(r => r.ProviderId).Order());
    }

    [Fact]
    public async Task UnknownThatNeverReachedTwilio_SentOnceOnResume()
    {
        // planned, then one row as a worker would leave it if its request died before reaching Twilio
        await TestEngine.SendAsync(_engine, QueueNames.CampaignTriggers, Trigger("tw-lost"));
        await _engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, TestEngine.Deadline());
        var lost = (await LedgerAsync("tw-lost")).Single(r => r.UserId == Phone(9));
        var ledger = _engine.Get<DeliveryLedger>();
        var claim = await ledger.TryMoveAsync(lost, lost with
        {
            State = DeliveryStates.Sending,
            To = Number(9),
            Body = "【Brand】Member day: 18% off today 回T退订",
            ClaimedAt = new DateTimeOffset(2026, 12, 1, 3, 59, 0, TimeSpan.Zero),
        }, TestEngine.Deadline());
        Assert.True((await ledger.TryMoveAsync(claim.Row, claim.Row with { State = DeliveryStates.Unknown, Reason = "timeout" }, TestEngine.Deadline())).Moved);

        // that worker's chunk messages are gone (a second copy racing the resumed ones would wait out a lease on the stopped clock)
        await (await _engine.Get<StorageClients>().QueueAsync(QueueNames.Deliveries)).ClearMessagesAsync();
        await _engine.Get<CampaignResume>().ResumeAsync("tw-lost", TestEngine.Deadline());
        await TestEngine.DrainAsync(_engine, QueueNames.Deliveries);

        Assert.Single(_twilio.Taken, r => r.To == Number(9));
        Assert.Equal(Users, _twilio.Taken.Select(r => r.To).Distinct().Count());
        Assert.Equal(DeliveryStates.Accepted, (await LedgerAsync("tw-lost")).Single(r => r.UserId == Phone(9)).State);
    }
}
