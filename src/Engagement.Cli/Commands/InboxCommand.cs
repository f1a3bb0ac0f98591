using System.ComponentModel;
using Engagement.Local;
using Engagement.Local.Queues;
using Engagement.Messaging;
using Engagement.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class InboxSettings : CommandSettings
{
    [CommandArgument(0, "<USER_ID>")]
    [Description("The user whose in-app messages to list.")]
    public string UserId { get; init; } = "";

    [CommandOption("--read <CAMPAIGN_ID>")]
    [Description("Marks the user's message of this campaign read first, as the app does (a content campaign's message counts as an open of its item).")]
    public string? ReadCampaignId { get; init; }
}

/// <summary>A user's in-app messages, as the app would list them.</summary>
internal sealed class InboxCommand : AsyncCommand<InboxSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, InboxSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        if (settings.ReadCampaignId is { } campaignId)
        {
            var read = await engine.Get<Interactions.InboxReads>().MarkReadAsync(settings.UserId, campaignId, cancellationToken);
            if (read.Count == 0)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(settings.UserId)} has no message of campaign {Markup.Escape(campaignId)}[/]");
                return 1;
            }

            AnsiConsole.MarkupLine($"Marked {read.Count} message(s) of {Markup.Escape(campaignId)} read.");
        }

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
