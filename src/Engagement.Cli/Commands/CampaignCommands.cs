using System.ComponentModel;
using Engagement.Campaigns;
using Engagement.Local;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal class CampaignFileSettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("A campaign trigger as JSON (contract: docs/contracts.md).")]
    public string File { get; init; } = "";

    public override ValidationResult Validate() =>
        System.IO.File.Exists(File) ? ValidationResult.Success() : ValidationResult.Error($"no such file: {File}");
}

/// <summary>Validates a trigger file the way the queue handler will, without enqueueing it.</summary>
internal sealed class CampaignValidateCommand : AsyncCommand<CampaignFileSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignFileSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartScratchAsync(cancellationToken);
        return Check(engine.Get<CampaignTriggerParser>(), await File.ReadAllTextAsync(settings.File, cancellationToken)) is null ? 1 : 0;
    }

    /// <summary>Prints the verdict; returns the trigger when valid.</summary>
    public static CampaignTrigger? Check(CampaignTriggerParser parser, string body)
    {
        try
        {
            var trigger = parser.Parse(body);
            AnsiConsole.MarkupLine($"[green]valid[/]: campaign [bold]{Markup.Escape(trigger.CampaignId)}[/] ({Markup.Escape(trigger.Name)}), channels {string.Join(", ", trigger.Channels.Select(c => c.Channel))}{(trigger.DryRun ? ", dry run" : "")}");
            return trigger;
        }
        catch (MalformedMessageException ex)
        {
            AnsiConsole.MarkupLine("[red]invalid[/]:");
            foreach (var error in ex.Message.Split("; "))
            {
                AnsiConsole.MarkupLine("  - " + Markup.Escape(error));
            }

            return null;
        }
    }
}

/// <summary>Validates, then enqueues a trigger on campaign-triggers of the configured storage (local Azurite when none).</summary>
internal sealed class CampaignSendCommand : AsyncCommand<CampaignFileSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignFileSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var body = await File.ReadAllTextAsync(settings.File, cancellationToken);
        if (CampaignValidateCommand.Check(engine.Get<CampaignTriggerParser>(), body) is null)
        {
            return 1;
        }

        var queue = await engine.Get<StorageClients>().QueueAsync(QueueNames.CampaignTriggers, cancellationToken);
        var sent = await queue.SendMessageAsync(body, cancellationToken);
        AnsiConsole.MarkupLine($"enqueued on {QueueNames.CampaignTriggers} (message {Markup.Escape(sent.Value.MessageId)}); run [bold]engage drain[/] to process it on this machine");
        return 0;
    }
}

/// <summary>Processes the engine's queues on this machine until they are empty, as the Functions host would.</summary>
internal sealed class DrainCommand : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var results = new List<(string Queue, PumpProgress Result)>();
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            // live bars on a terminal only: redirected, Spectre's progress drops lines it had no refresh for
            await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
            {
                foreach (var queue in QueueNames.All)
                {
                    var task = ctx.AddTask(queue, maxValue: 1);
                    results.Add((queue, await DrainAsync(engine, queue, p =>
                    {
                        task.MaxValue = Math.Max(1, p.Handled + p.DeadLettered + Math.Max(0, p.Remaining));
                        task.Value = p.Handled + p.DeadLettered;
                    }, cancellationToken)));
                    task.Value = task.MaxValue;
                }
            });
        }
        else
        {
            foreach (var queue in QueueNames.All)
            {
                results.Add((queue, await DrainAsync(engine, queue, null, cancellationToken)));
            }
        }

        // one summary line per queue, always written (terminal or not)
        foreach (var (queue, result) in results)
        {
            AnsiConsole.MarkupLine($"{queue}: {result.Handled:N0} handled, {result.DeadLettered:N0} dead-lettered"
                + (result.Remaining > 0 ? $", {result.Remaining:N0} waiting (sendAt or quiet hours)" : ""));
        }

        var dead = results.Sum(r => r.Result.DeadLettered);
        if (dead > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]{dead:N0} message(s) dead-lettered: see the errors table and the -poison queues[/]");
        }

        return dead == 0 ? 0 : 1;
    }

    private static Task<PumpProgress> DrainAsync(LocalEngine engine, string queue, Action<PumpProgress>? onProgress, CancellationToken ct) =>
        engine.Pump().DrainAsync(queue, onProgress is null ? null : new Progress<PumpProgress>(onProgress), ct, idleWhenOnlyDelayed: TimeSpan.FromSeconds(3));
}

internal class CampaignStatusSettings : CommandSettings
{
    [CommandArgument(0, "<CAMPAIGN_ID>")]
    [Description("The campaignId of the trigger.")]
    public string CampaignId { get; init; } = "";
}

/// <summary>A campaign's state and its deliveries counted by channel, state and reason.</summary>
internal sealed class CampaignStatusCommand : AsyncCommand<CampaignStatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignStatusSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var campaign = await engine.Get<CampaignStore>().GetAsync(settings.CampaignId, cancellationToken);
        if (campaign is null)
        {
            AnsiConsole.MarkupLine($"[red]no campaign '{Markup.Escape(settings.CampaignId)}'[/] (was its trigger dead-lettered? see the errors table, PartitionKey {QueueNames.CampaignTriggers})");
            return 1;
        }

        AnsiConsole.MarkupLine($"campaign [bold]{Markup.Escape(campaign.CampaignId)}[/] ({Markup.Escape(campaign.Name)}): {campaign.State}{(campaign.DryRun ? ", dry run" : "")}, accepted {campaign.AcceptedAt:yyyy-MM-dd HH:mm:ss} UTC");
        var counts = await engine.Get<Delivery.DeliveryLedger>().CountAsync(campaign.CampaignId, engine.Get<UserShards>().All, cancellationToken);
        CliEnvironment.PrintDeliveryCounts(null, "state", counts);
        return 0;
    }
}

/// <summary>Sends to the rest of a campaign cut short (outage, pause, killed worker), never again to those already sent.</summary>
internal sealed class CampaignResumeCommand : AsyncCommand<CampaignStatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignStatusSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var chunks = await engine.Get<CampaignResume>().ResumeAsync(settings.CampaignId, cancellationToken);
        AnsiConsole.MarkupLine($"{chunks:N0} chunk(s) of unsent recipients enqueued on {QueueNames.Deliveries}");
        var result = await engine.Pump().DrainAsync(QueueNames.Deliveries, null, cancellationToken, idleWhenOnlyDelayed: TimeSpan.FromSeconds(3));
        AnsiConsole.MarkupLine($"{result.Handled:N0} handled, {result.DeadLettered:N0} dead-lettered{(result.Remaining > 0 ? $", {result.Remaining:N0} waiting (quiet hours, a send lease or sendAt)" : "")}; see [bold]engage campaign status {Markup.Escape(settings.CampaignId)}[/]");
        return result.DeadLettered == 0 ? 0 : 1;
    }
}

internal sealed class CampaignPreviewSettings : CampaignFileSettings
{
    [CommandOption("--samples <N>")]
    [Description("Recipients shown per channel and outcome.")]
    public int Samples { get; init; } = 3;
}

/// <summary>What a trigger would send, and per recipient why not, on the configured storage: no send, no ledger row.</summary>
internal sealed class CampaignPreviewCommand : AsyncCommand<CampaignPreviewSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignPreviewSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var trigger = CampaignValidateCommand.Check(engine.Get<CampaignTriggerParser>(), await File.ReadAllTextAsync(settings.File, cancellationToken));
        if (trigger is null)
        {
            return 1;
        }

        var preview = await engine.Get<CampaignPreview>().PreviewAsync(trigger, settings.Samples, cancellationToken);
        CliEnvironment.PrintDeliveryCounts("What would happen", "outcome", preview.Counts);
        var samples = new Table().Title("Examples").AddColumn("user").AddColumn("channel").AddColumn("outcome").AddColumn("text or reason");
        foreach (var row in preview.Samples)
        {
            samples.AddRow(Markup.Escape(row.UserId), Markup.Escape(row.Channel), Markup.Escape(row.Outcome), Markup.Escape(row.Text ?? row.Reason ?? ""));
        }

        AnsiConsole.Write(samples);
        AnsiConsole.MarkupLine("[grey]Nothing was sent and nothing was recorded.[/]");
        return 0;
    }
}

internal sealed class InboxSettings : CommandSettings
{
    [CommandArgument(0, "<USER_ID>")]
    [Description("The user whose in-app messages to list.")]
    public string UserId { get; init; } = "";
}

/// <summary>A user's in-app messages, as the app would list them.</summary>
internal sealed class InboxCommand : AsyncCommand<InboxSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, InboxSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var messages = await engine.Get<Delivery.Inbox>().ListAsync(settings.UserId, includeExpired: true, cancellationToken);
        var table = new Table().Title($"Inbox of {Markup.Escape(settings.UserId)}").AddColumn("campaign").AddColumn("title").AddColumn("message").AddColumn("received (UTC)").AddColumn("read");
        foreach (var m in messages)
        {
            table.AddRow(Markup.Escape(m.CampaignId), Markup.Escape(m.Title ?? ""), Markup.Escape(m.Body), m.CreatedAt.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), m.Read ? "yes" : "no");
        }

        AnsiConsole.Write(table);
        return 0;
    }
}

internal sealed class CampaignOutcomeSettings : CampaignStatusSettings
{
    [CommandOption("--window <DAYS>")]
    [Description("Days from the day a user was reached (or the campaign was planned, for the holdout) in which activity counts. Default 14.")]
    public int Window { get; init; } = 14;

    public override ValidationResult Validate() =>
        Window is >= 1 and <= 90 ? ValidationResult.Success() : ValidationResult.Error("--window must be 1-90 days");
}

/// <summary>The ops team's wake-up rate for one campaign: reached users active again in the window, against its holdout.</summary>
internal sealed class CampaignOutcomeCommand : AsyncCommand<CampaignOutcomeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignOutcomeSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        if (await engine.Get<CampaignStore>().GetAsync(settings.CampaignId, cancellationToken) is null)
        {
            AnsiConsole.MarkupLine($"[red]no campaign '{Markup.Escape(settings.CampaignId)}'[/]");
            return 1;
        }

        var o = await engine.Get<Outcomes.Reactivations>().MeasureAsync(settings.CampaignId, settings.Window, cancellationToken);
        static string Percent(double? rate) => rate?.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
        var table = new Table().Title($"Campaign {Markup.Escape(o.CampaignId)}: active within {o.WindowDays} days")
            .AddColumn("group").AddColumn(new TableColumn("users").RightAligned()).AddColumn(new TableColumn("active again").RightAligned()).AddColumn(new TableColumn("rate").RightAligned());
        table.AddRow("reached", o.Reached.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), o.ReachedActive.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Percent(o.Rate));
        table.AddRow("held out", o.HeldOut.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), o.HeldOutActive.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Percent(o.HoldoutRate));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(o.Lift is { } lift ? $"lift over the holdout: [bold]{lift.ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture)} pt[/]" : "no holdout to compare with (set holdoutPercent in the trigger)");
        if (o.StillInWindow > 0)
        {
            AnsiConsole.MarkupLine($"[grey]{o.StillInWindow:N0} user(s) are still inside their window: the rates can still rise.[/]");
        }

        AnsiConsole.MarkupLine($"[grey]Reactivated users are recorded in the {TableNames.Reactivations} table (PartitionKey {Markup.Escape(o.CampaignId)}).[/]");
        return 0;
    }
}

/// <summary>Stops a campaign's sends at the next chunk (nothing is lost: its chunks wait on the queue) or lets them go again.</summary>
internal abstract class CampaignPauseCommandBase(bool paused) : AsyncCommand<CampaignStatusSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignStatusSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        if (!await engine.Get<CampaignStore>().SetPausedAsync(settings.CampaignId, paused, cancellationToken))
        {
            AnsiConsole.MarkupLine($"[red]no campaign '{Markup.Escape(settings.CampaignId)}'[/]");
            return 1;
        }

        AnsiConsole.MarkupLine(paused
            ? $"campaign [bold]{Markup.Escape(settings.CampaignId)}[/] paused: each worker stops at its next chunk (at most {engine.Get<Microsoft.Extensions.Options.IOptions<Delivery.DeliveryOptions>>().Value.ChunkSize} recipients already in hand finish); chunks wait on {QueueNames.Deliveries}"
            : $"campaign [bold]{Markup.Escape(settings.CampaignId)}[/] unpaused: its chunks go out as they come back (within Delivery__NotSentRetryDelay); locally, run [bold]engage drain[/]");
        return 0;
    }
}

internal sealed class CampaignPauseCommand() : CampaignPauseCommandBase(paused: true);

internal sealed class CampaignUnpauseCommand() : CampaignPauseCommandBase(paused: false);
