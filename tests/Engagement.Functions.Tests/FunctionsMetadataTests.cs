using System.Text.Json;
using Engagement.Messaging;
using Engagement.Segmentation;
using Engagement.Storage;

namespace Engagement.Functions.Tests;

/// <summary>
/// The Functions host cannot run here, so the build's own output is checked instead: the
/// generated functions.metadata (triggers, queues, schedule setting) and host.json, so a typo in
/// a binding fails the build's tests rather than production.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly JsonElement[] Functions = ReadJson("functions.metadata").EnumerateArray().ToArray();

    private static JsonElement ReadJson(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, file))).RootElement;

    private static JsonElement Trigger(string function)
    {
        var f = Functions.Single(x => x.GetProperty("name").GetString() == function);
        return f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
    }

    [Fact]
    public void Metadata_ListsExactlyTheExpectedFunctions()
    {
        var names = Functions.Select(f => f.GetProperty("name").GetString()).Order().ToArray();
        Assert.Equal(["CampaignTrigger", "Deliver", "IngestActivity", "NightlyShard", "NightlyTimer", "PlaybookTimer", "ProviderCallbacks", "TwilioInbound", "TwilioStatus"], names);
    }

    [Theory]
    [InlineData("IngestActivity", QueueNames.ActivityEvents)]
    [InlineData("NightlyShard", QueueNames.NightlyShards)]
    [InlineData("CampaignTrigger", QueueNames.CampaignTriggers)]
    [InlineData("Deliver", QueueNames.Deliveries)]
    [InlineData("ProviderCallbacks", QueueNames.ProviderCallbacks)]
    public void QueueTrigger_ListensOnTheEngineQueue(string function, string queue)
    {
        var trigger = Trigger(function);
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(queue, trigger.GetProperty("queueName").GetString());
        Assert.Equal("In", trigger.GetProperty("direction").GetString());
    }

    [Fact]
    public void EveryEngineQueue_HasATrigger()
    {
        var queues = Functions.SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => b.TryGetProperty("queueName", out _)).Select(b => b.GetProperty("queueName").GetString()).ToHashSet();
        Assert.All(QueueNames.All, q => Assert.Contains(q, queues));
    }

    [Theory]
    [InlineData("TwilioStatus", "twilio/status")]
    [InlineData("TwilioInbound", "twilio/inbound")]
    public void TwilioWebhooks_ArePostOnlyAnonymousRoutes(string function, string route)
    {
        // anonymous because Twilio cannot send a function key: the X-Twilio-Signature check is the authentication
        var trigger = Trigger(function);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString(), ignoreCase: true);
        Assert.Equal(["post"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()).ToArray());
    }

    [Fact]
    public void NightlyTimer_ReadsItsScheduleFromTheAppSetting()
    {
        var trigger = Trigger("NightlyTimer");
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("%" + NightlySchedule.SettingName + "%", trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void PlaybookTimer_ReadsItsScheduleFromTheAppSetting()
    {
        var trigger = Trigger("PlaybookTimer");
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("%" + Playbooks.PlaybookSchedule.TimerSettingName + "%", trigger.GetProperty("schedule").GetString());
        Assert.Equal(Playbooks.PlaybookSchedule.TimerDefault, ReadJson("local.settings.example.json").GetProperty("Values").GetProperty(Playbooks.PlaybookSchedule.TimerSettingName).GetString());
    }

    [Fact]
    public void DefaultSchedule_FiresAt0200InShanghai()
    {
        var schedule = NightlySchedule.Parse(NightlySchedule.Default);
        var next = schedule.GetNextOccurrence(new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc));
        var shanghai = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(next, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        Assert.Equal(new DateTime(2026, 11, 27, 2, 0, 0), shanghai);
    }

    [Fact]
    public void ScheduleParse_RejectsFiveFieldCron()
    {
        var ex = Assert.Throws<FormatException>(() => NightlySchedule.Parse("0 18 * * *"));
        Assert.Contains(NightlySchedule.SettingName, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalSettingsExample_UsesTheDefaultSchedule()
    {
        var values = ReadJson("local.settings.example.json").GetProperty("Values");
        Assert.Equal(NightlySchedule.Default, values.GetProperty(NightlySchedule.SettingName).GetString());
        Assert.Equal("dotnet-isolated", values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
    }

    [Fact]
    public void HostJson_AcceptsPlainTextMessagesAndMatchesTheEngineDequeueLimit()
    {
        var queues = ReadJson("host.json").GetProperty("extensions").GetProperty("queues");
        // "none": plain JSON from other SDKs reaches the handler (which also decodes base64) instead of the poison queue
        Assert.Equal("none", queues.GetProperty("messageEncoding").GetString());
        Assert.Equal(new QueueOptions().MaxDequeueCount, queues.GetProperty("maxDequeueCount").GetInt32());
    }
}
