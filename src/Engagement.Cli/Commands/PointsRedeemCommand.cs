using System.ComponentModel;
using Engagement.Points;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class PointsRedeemSettings : CommandSettings
{
    [CommandArgument(0, "<USER_ID>")]
    [Description("The user spending points.")]
    public string UserId { get; init; } = "";

    [CommandArgument(1, "<ITEM>")]
    [Description("A catalogue item (Points:Catalogue), e.g. coupon-5.")]
    public string Item { get; init; } = "";

    [CommandOption("--request-id <ID>")]
    [Description("Names this redemption: the same id again redeems nothing twice (and finishes one cut short). Default: a new GUID.")]
    public string? RequestId { get; init; }
}

/// <summary>Spends points on a catalogue coupon: exit 0 when redeemed (also when the request id was redeemed before), 1 when refused.</summary>
internal sealed class PointsRedeemCommand : AsyncCommand<PointsRedeemSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PointsRedeemSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var requestId = settings.RequestId ?? Guid.NewGuid().ToString("N");
        var result = await engine.Get<PointsStore>().RedeemAsync(settings.UserId, settings.Item, requestId, cancellationToken);
        if (result.Coupon is { } c)
        {
            var again = result.Spend.Outcome == PointsOutcome.AlreadyApplied ? " (already redeemed with this request id)" : "";
            AnsiConsole.MarkupLine($"[green]Redeemed[/]{again} {c.DisplayCode}: {Markup.Escape(c.Item)}, {c.DisplayValue} {Markup.Escape(c.Currency)}; balance {result.Spend.Account.Balance}; request id {Markup.Escape(requestId)}");
            return 0;
        }

        AnsiConsole.MarkupLine($"[red]Refused[/]: {Markup.Escape(result.Spend.Refusal ?? "")}");
        return 1;
    }
}
