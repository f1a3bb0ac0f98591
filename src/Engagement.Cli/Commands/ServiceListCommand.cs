using System.ComponentModel;
using System.Globalization;
using Engagement.Users;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal sealed class ServiceListSettings : CommandSettings
{
    [CommandOption("--since <DATE>")]
    [Description("Only users flagged on or after this as-of date (yyyy-MM-dd): who is new to call.")]
    public string? Since { get; init; }

    public override ValidationResult Validate() =>
        Since is null || DateOnly.TryParseExact(Since, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? ValidationResult.Success()
            : ValidationResult.Error("--since must be a date, yyyy-MM-dd");
}

/// <summary>The service team's call list: users with the dedicated-service flag now, newest first.</summary>
internal sealed class ServiceListCommand : AsyncCommand<ServiceListSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServiceListSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await CliEnvironment.StartAsync(cancellationToken);
        DateOnly? since = settings.Since is null ? null : DateOnly.ParseExact(settings.Since, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var flagged = await engine.Get<ServiceFlags>().FlaggedAsync(since, cancellationToken);
        var table = new Table().Title(since is null ? "Dedicated service: users flagged now" : $"Dedicated service: users flagged since {settings.Since}")
            .AddColumn("user").AddColumn("flagged since").AddColumn("tier");
        foreach (var f in flagged.OrderByDescending(f => f.Since).ThenBy(f => f.UserId, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(f.UserId), f.Since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Markup.Escape(f.Tier));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{flagged.Count:N0} user(s). The flag is set by the nightly run when a user enters the best tier and cleared when they leave it.");
        return 0;
    }
}
