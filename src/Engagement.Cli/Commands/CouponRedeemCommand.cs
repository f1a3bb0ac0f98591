using System.ComponentModel;
using Engagement.Wallet;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class CouponRedeemSettings : CommandSettings
{
    [CommandArgument(0, "<CODE>")]
    [Description("The coupon code as typed (dashes, spaces and case do not matter).")]
    public string Code { get; init; } = "";

    [CommandOption("--user <USER_ID>")]
    [Description("The user redeeming it: a code in someone else's wallet is refused.")]
    public string UserId { get; init; } = "";

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(UserId) ? ValidationResult.Error("--user USER_ID is required") : ValidationResult.Success();
}

/// <summary>Redeems a coupon once: exit 0 when redeemed, 1 when refused (the reason is printed).</summary>
internal sealed class CouponRedeemCommand : AsyncCommand<CouponRedeemSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CouponRedeemSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        var result = await engine.Get<WalletStore>().RedeemAsync(settings.UserId, settings.Code, cancellationToken);
        if (result.Redeemed)
        {
            var c = result.Coupon!;
            AnsiConsole.MarkupLine($"[green]Redeemed[/] {c.DisplayCode}: {Markup.Escape(c.Item)}, {c.DisplayValue} {Markup.Escape(c.Currency)}");
            return 0;
        }

        AnsiConsole.MarkupLine($"[red]Refused ({result.Refusal})[/]: {Markup.Escape(result.Message)}");
        return 1;
    }
}
