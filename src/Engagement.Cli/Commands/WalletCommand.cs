using System.ComponentModel;
using System.Globalization;
using Engagement.Activity;
using Engagement.Wallet;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class WalletSettings : CommandSettings
{
    [CommandArgument(0, "<USER_ID>")]
    [Description("The user whose coupons to list.")]
    public string UserId { get; init; } = "";
}

/// <summary>A user's coupons, newest first, with validity in the ops zone.</summary>
internal sealed class WalletCommand : AsyncCommand<WalletSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, WalletSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var zone = engine.Get<ActivityCalendar>().Zone;
        var coupons = await engine.Get<WalletStore>().WalletAsync(settings.UserId, cancellationToken);
        var table = new Table().Title($"Wallet of {Markup.Escape(settings.UserId)} (times in {Markup.Escape(zone.Id)})")
            .AddColumn("code").AddColumn("item").AddColumn(new TableColumn("value").RightAligned()).AddColumn("currency")
            .AddColumn("valid from").AddColumn("valid until").AddColumn("state");
        foreach (var c in coupons)
        {
            table.AddRow(
                c.DisplayCode, Markup.Escape(c.Item), c.DisplayValue, Markup.Escape(c.Currency),
                TimeZoneInfo.ConvertTime(c.ValidFrom, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), c.ValidUntilIn(zone),
                c.State == CouponStates.Issued ? c.State : $"[grey]{c.State}[/]");
        }

        AnsiConsole.Write(table);
        return 0;
    }
}
