using System.ComponentModel;
using Engagement.Activity;
using Engagement.Users;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Engagement.Cli.Commands;

internal class ImportSettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("CSV file with a header row; an unknown, repeated or missing required column refuses the whole file (exit 2).")]
    public string File { get; init; } = "";

    public override ValidationResult Validate() =>
        System.IO.File.Exists(File) ? ValidationResult.Success() : ValidationResult.Error($"no such file: {File}");
}

internal sealed class ImportUsersSettings : ImportSettings
{
    [CommandOption("--region <CC>")]
    [Description("Country for phone numbers written without a country code (default CN).")]
    public string Region { get; init; } = "CN";
}
