using System.ComponentModel;
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

internal class CampaignStatusSettings : CommandSettings
{
    [CommandArgument(0, "<CAMPAIGN_ID>")]
    [Description("The campaignId of the trigger.")]
    public string CampaignId { get; init; } = "";
}
