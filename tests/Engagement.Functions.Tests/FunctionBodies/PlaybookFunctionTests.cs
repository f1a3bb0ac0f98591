using System.Text.Json;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>
/// PlaybookTimer with a bound TimerInfo at 12:00 Shanghai on 1 Dec (after the default 02:00 UTC
/// occurrence), in-app only (no SMS provider here: the winback's SMS channel is removed by setting).
/// </summary>
public sealed class PlaybookFunctionTests
{
    private static readonly Dictionary<string, string?> InAppOnly = new(StringComparer.Ordinal) { ["Playbooks:winback:Channels:1:Channel"] = "" };

    private static Task FireAsync(FunctionApp app, bool isPastDue) =>
        app.InvokeAsync<PlaybookFunctions>(nameof(PlaybookFunctions.PlaybookTimer), (f, c) => f.PlaybookTimer(new TimerInfo { IsPastDue = isPastDue }, c.CancellationToken));

    private static string CampaignIdOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("campaignId").GetString()!;

    [Fact]
    public async Task PlaybookTimer_FiredTwiceAndAgainAfterTheRuns_StartsEachPlaybooksMonthOnce()
    {
        await using var app = await FunctionApp.StartAsync(InAppOnly);
        await app.SeedUsersAsync("dormant", ("pf-0", new UserProfile { TimeZone = "Asia/Shanghai", ConsentInApp = true, Source = "test" }));

        await FireAsync(app, isPastDue: true);
        await FireAsync(app, isPastDue: false); // before the first trigger was handled: the same text again

        var queued = await app.PeekAsync(QueueNames.CampaignTriggers);
        Assert.Equal(["highvalue-2026-12", "winback-2026-12"], queued.Select(CampaignIdOf).Distinct().Order(StringComparer.Ordinal));
        Assert.All(queued.GroupBy(CampaignIdOf), g => Assert.Single(g.Distinct(StringComparer.Ordinal)));

        await app.DrainAsync(QueueNames.CampaignTriggers, nameof(CampaignFunctions.CampaignTrigger));
        await FireAsync(app, isPastDue: false);
        Assert.Empty(await app.PeekAsync(QueueNames.CampaignTriggers)); // the runs exist: nothing enqueued
        Assert.Empty(await app.PeekAsync(QueueNames.Poison(QueueNames.CampaignTriggers)));
        Assert.Equal(CampaignStates.Planned, (await app.Get<CampaignStore>().GetAsync("winback-2026-12", FunctionApp.Deadline()))?.State);

        await app.DrainAsync(QueueNames.Deliveries, nameof(DeliveryFunctions.Deliver));
        var inbox = await app.Get<Inbox>().ListAsync("pf-0", includeExpired: false, FunctionApp.Deadline());
        Assert.Equal("winback-2026-12", Assert.Single(inbox).CampaignId);
    }

    [Fact]
    public async Task PlaybookTimer_EveryPlaybookDisabled_EnqueuesNothingAndSaysSo()
    {
        await using var app = await FunctionApp.StartAsync(new Dictionary<string, string?>(InAppOnly)
        {
            ["Playbooks:winback:Enabled"] = "false",
            ["Playbooks:highvalue:Enabled"] = "false",
        });

        await FireAsync(app, isPastDue: false);

        Assert.Empty(await app.PeekAsync(QueueNames.CampaignTriggers));
        Assert.Equal(2, app.Logs.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("is disabled", StringComparison.Ordinal)));
    }
}
