using System.ComponentModel;
using System.Globalization;
using Engagement.Activity;
using Engagement.Referrals;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class ReferralsSettings : CommandSettings
{
    [CommandArgument(0, "<USER_ID>")]
    [Description("The user whose referrals to show: who invited them, the friends they invited and their reward.")]
    public string UserId { get; init; } = "";
}

/// <summary>A user's referrals: their referrer, the friends they invited (active or not yet) and the reward (times in the ops zone).</summary>
internal sealed class ReferralsCommand : AsyncCommand<ReferralsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReferralsSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var zone = engine.Get<ActivityCalendar>().Zone;
        var store = engine.Get<ReferralStore>();
        var user = Markup.Escape(settings.UserId);
        var link = await store.LinkOfAsync(settings.UserId, cancellationToken);
        AnsiConsole.MarkupLine(link is null
            ? $"{user} was referred by nobody."
            : $"{user} was referred by [bold]{Markup.Escape(link.Referrer)}[/] on {Time(link.ReferredAt, zone)}.");

        var friends = await store.FriendsAsync(settings.UserId, cancellationToken);
        var table = new Table().Title($"Friends {user} invited ({friends.Count(f => f.ActiveOn is not null)} of {friends.Count} active)")
            .AddColumn("friend").AddColumn("referred at").AddColumn("active since");
        foreach (var f in friends)
        {
            table.AddRow(Markup.Escape(f.Invitee), Time(f.ReferredAt, zone), f.ActiveOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "not yet");
        }

        AnsiConsole.Write(table);
        var reward = await store.RewardOfAsync(settings.UserId, cancellationToken);
        AnsiConsole.MarkupLine(reward is null
            ? "Reward: not yet."
            : $"Reward: [bold]{Markup.Escape(reward.CampaignId)}[/], completed by {Markup.Escape(reward.CompletedBy)} on {Time(reward.RecordedAt, zone)}, {(reward.Enqueued ? "sent to the campaign pipeline" : "recorded, not enqueued yet (the next event of a friend enqueues it)")}.");
        return 0;
    }

    private static string Time(DateTimeOffset t, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
