using System.IO.Hashing;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Engagement.Storage;

namespace Engagement.Campaigns;

public enum CampaignAcceptance
{
    /// <summary>First time this campaign id is seen: recorded.</summary>
    New,

    /// <summary>The same trigger again (a producer retry or a replay): nothing to do twice.</summary>
    Duplicate,
}

/// <summary>A campaign as recorded: its trigger text, hash and where it stands.</summary>
/// <param name="TraceParent">The trace of the campaign (W3C), so a later resume continues it.</param>
public sealed record CampaignRecord(string CampaignId, string Name, string Trigger, string TriggerHash, string State, bool DryRun, DateTimeOffset AcceptedAt, string? TraceParent = null, bool Paused = false);

/// <summary>
/// The <c>campaigns</c> table: PartitionKey "campaign", RowKey the campaign id. The insert is the
/// idempotency gate: a second trigger with the same id and the same text is a duplicate; with a
/// different text it is refused (a changed campaign needs a new id, or it could reach people twice).
/// </summary>
public sealed class CampaignStore(StorageClients storage, TimeProvider time)
{
    private const string Partition = "campaign";

    public async Task<CampaignAcceptance> AcceptAsync(CampaignTrigger trigger, string triggerText, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Campaigns, cancellationToken);
        var hash = Convert.ToHexString(XxHash64.Hash(Encoding.UTF8.GetBytes(triggerText)));
        var row = new TableEntity(Partition, trigger.CampaignId)
        {
            ["Name"] = trigger.Name,
            ["Trigger"] = triggerText,
            ["TriggerHash"] = hash,
            ["State"] = CampaignStates.Accepted,
            ["DryRun"] = trigger.DryRun,
            ["AcceptedAt"] = time.GetUtcNow(),
            ["TraceParent"] = Telemetry.EngagementTelemetry.CurrentTraceParent(),
        };
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
            return CampaignAcceptance.New;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // the insert may have succeeded on an SDK retry, or someone sent it before: compare
            var existing = (await table.GetEntityAsync<TableEntity>(Partition, trigger.CampaignId, ["TriggerHash"], cancellationToken)).Value;
            return existing.GetString("TriggerHash") == hash
                ? CampaignAcceptance.Duplicate
                : throw new Messaging.MalformedMessageException($"campaign '{trigger.CampaignId}' already exists with a different definition; give a changed campaign a new campaignId");
        }
    }

    /// <summary>Records that every recipient has a ledger row (the counts are of this plan, replays included).</summary>
    public async Task MarkPlannedAsync(string campaignId, CampaignPlan plan, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Campaigns, cancellationToken);
        var row = new TableEntity(Partition, campaignId)
        {
            ["State"] = CampaignStates.Planned,
            ["Recipients"] = plan.Recipients,
            ["Planned"] = plan.Planned,
            ["HeldOut"] = plan.HeldOut,
            ["Skipped"] = plan.Skipped,
            ["PlannedAt"] = time.GetUtcNow(),
        };
        await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Pauses or unpauses a campaign: a paused campaign's chunks are put back on the queue unsent (see DeliveryWorker).</summary>
    /// <returns>False when there is no such campaign.</returns>
    public async Task<bool> SetPausedAsync(string campaignId, bool paused, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Campaigns, cancellationToken);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(Partition, campaignId) { ["Paused"] = paused, ["PausedChangedAt"] = time.GetUtcNow() }, ETag.All, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>One point read of one column: the delivery worker asks before every chunk, so a pause takes effect at the next chunk.</summary>
    public async Task<bool> IsPausedAsync(string campaignId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Campaigns, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, campaignId, ["Paused"], cancellationToken);
        return row.HasValue && row.Value?.GetBoolean("Paused") == true;
    }

    public async Task<CampaignRecord?> GetAsync(string campaignId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableNames.Campaigns, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, campaignId, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } e
            ? new CampaignRecord(e.RowKey, e.GetString("Name") ?? "", e.GetString("Trigger") ?? "", e.GetString("TriggerHash") ?? "", e.GetString("State") ?? "", e.GetBoolean("DryRun") ?? false, e.GetDateTimeOffset("AcceptedAt") ?? default, e.GetString("TraceParent"), e.GetBoolean("Paused") ?? false)
            : null;
    }
}

public static class CampaignStates
{
    public const string Accepted = "accepted";
    public const string Planned = "planned";
}
