using Engagement.IntegrationTests.Cli;

namespace Engagement.IntegrationTests.Playbooks;

/// <summary>The real <c>engage playbook</c> commands against a test Azurite (the CLI reads the system clock: runs are asked for by period).</summary>
public sealed class PlaybookCliTests : IAsyncLifetime
{
    private LocalEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync();

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task<(int ExitCode, string Output)> EngageAsync(Dictionary<string, string?> settings, params string[] args)
    {
        settings["Storage:ConnectionString"] = _engine.Azurite!.ConnectionString;
        settings["Storage:UserShards"] = TestEngine.Shards.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var engage = EngageProcess.Start(settings, args);
        Assert.True(await engage.ExitsWithinAsync(TimeSpan.FromMinutes(1)), $"engage {string.Join(' ', args)} did not exit");
        return (engage.Process.ExitCode, engage.Output + engage.Errors);
    }

    [Fact]
    public async Task RunTwiceForAPeriod_StartsItOnce_AndListAndStatusShowIt()
    {
        // highvalue: in-app only, which the test engine can deliver without an SMS provider
        var first = await EngageAsync([], "playbook", "run", "highvalue", "--period", "2031-01");
        var second = await EngageAsync([], "playbook", "run", "highvalue", "--period", "2031-01");
        Assert.Equal(0, (await TestEngine.DrainAsync(_engine, QueueNames.CampaignTriggers)).DeadLettered);
        var third = await EngageAsync([], "playbook", "run", "highvalue", "--period", "2031-01");
        var list = await EngageAsync(new() { ["Playbooks:highvalue:Enabled"] = "false" }, "playbook", "list");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("started: highvalue-2031-01 enqueued", first.Output, StringComparison.Ordinal);
        Assert.Contains("started", second.Output, StringComparison.Ordinal); // the same text again: a Duplicate at the campaigns table
        Assert.True(third.ExitCode == 0 && third.Output.Contains("already-started: highvalue-2031-01 was started already", StringComparison.Ordinal), third.Output);
        Assert.Equal(Engagement.Campaigns.CampaignStates.Planned, (await _engine.Get<Engagement.Campaigns.CampaignStore>().GetAsync("highvalue-2031-01", TestEngine.Deadline()))?.State);
        Assert.Matches(@"highvalue\s*│\s*no", list.Output);
        Assert.Matches(@"winback\s*│\s*yes", list.Output);
        Assert.Matches(@"content\s*│\s*yes\s*│\s*regular", list.Output); // the weekly content run and the wake-up plan, from their own settings
        Assert.Matches(@"wakeup\s*│\s*yes\s*│\s*potential", list.Output);
    }

    [Fact]
    public async Task Preview_WithABadSettingOrAnUnknownName_IsRefusedNamingIt()
    {
        var badCoupon = await EngageAsync(new() { ["Playbooks:winback:Coupons:0:Value"] = "0" }, "playbook", "preview", "winback");
        var badTemplate = await EngageAsync(new() { ["Playbooks:winback:Channels:1:Template"] = "{{ coupon_cod }}" }, "playbook", "preview", "winback");
        var unknown = await EngageAsync([], "playbook", "preview", "wakeup");

        Assert.NotEqual(0, badCoupon.ExitCode);
        Assert.Contains("Playbooks:winback:Coupons:0:Value must be more than 0", badCoupon.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, badTemplate.ExitCode);
        Assert.Contains("Playbooks:winback:Channels:1:Template", badTemplate.Output, StringComparison.Ordinal);
        Assert.Equal((1, true), (unknown.ExitCode, unknown.Output.Contains("unknown playbook 'wakeup' (known: highvalue, memberday, winback)", StringComparison.Ordinal)));
    }
}
