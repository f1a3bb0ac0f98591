using System.IO.Hashing;
using System.Text;
using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Wallet;

namespace Engagement.Campaigns;

/// <summary>How a campaign's plan came out.</summary>
public sealed record CampaignPlan(long Recipients, long Planned, long HeldOut, long Skipped, long Added)
{
    /// <summary>Coupons held by the recipients after planning (issued now, or by an earlier attempt of the same plan).</summary>
    public long Coupons { get; init; }
}

/// <summary>
/// Resolves a campaign's audience shard by shard and records one ledger row per recipient and
/// channel before anything is sent: <c>planned</c>, <c>held-out</c> (the control group) or
/// <c>skipped: unknown-user</c> (an explicit id that is not a user), and a fallback channel <c>skipped:
/// reached-by-CHANNEL</c> when a channel before it can reach the user. Replays add only missing rows.
/// The audience is resolved here, when the trigger is accepted, even for a later <c>sendAt</c>
/// (docs/decisions.md); consent, quiet hours and caps are checked at send time, when they are current.
/// </summary>
public sealed class CampaignPlanner(
    StorageClients storage,
    AudienceReader audience,
    DeliveryLedger ledger,
    WalletStore wallet,
    DeliveryComposer composer,
    Microsoft.Extensions.Options.IOptions<DeliveryOptions> options,
    TimeProvider time)
{
    /// <summary>Deterministic control group: the same (holdout key, user) is always in or out. The key is the campaign id
    /// unless the trigger names one (a playbook's name, so its monthly runs keep the same groups).</summary>
    public static bool IsHeldOut(string holdoutKey, string userId, int holdoutPercent) =>
        holdoutPercent > 0 && XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(holdoutKey + "|" + userId)) % 100 < holdoutPercent;

    /// <summary>
    /// Per channel, <c>reached-by-CHANNEL</c> for a fallback channel when a channel listed before it can reach the user
    /// (consent and address, <see cref="DeliveryPolicies.Unreachable"/>), else null. From the row as it is at planning:
    /// the plan and the preview say the same, and a replay finds the rows decided.
    /// </summary>
    public static string?[] ReachedBy(IReadOnlyList<ChannelTemplate> channels, Recipient recipient)
    {
        var reasons = new string?[channels.Count];
        string? reaching = null;
        for (var i = 0; i < channels.Count; i++)
        {
            if (channels[i].Fallback && reaching is not null)
            {
                reasons[i] = "reached-by-" + reaching;
            }

            reaching ??= DeliveryPolicies.Unreachable(channels[i].Channel, recipient) is null ? channels[i].Channel : null;
        }

        return reasons;
    }

    public async Task<CampaignPlan> PlanAsync(CampaignTrigger trigger, CancellationToken cancellationToken)
    {
        long recipients = 0, planned = 0, heldOut = 0, skipped = 0, added = 0, coupons = 0;
        var queue = await storage.QueueAsync(QueueNames.Deliveries, cancellationToken);
        // sendAt in the future: the chunks stay invisible until then, or for 7 days (the queue's limit) after which
        // the worker puts them back for the rest (it checks sendAt whoever enqueued a chunk)
        var delay = SendSchedule.TimeUntilDue(trigger.SendAt, trigger.ExpiresAt, time.GetUtcNow()) is { } wait ? SendSchedule.Hop(wait) : (TimeSpan?)null;
        // a fallback channel is decided by the user's reachability: read the columns the delivery policies judge
        var fallback = trigger.Channels.Any(c => c.Fallback);
        await foreach (var shard in audience.ReadAsync(trigger, fallback ? DeliveryComposer.UserColumns : AudienceFilter.Columns, cancellationToken))
        {
            var rows = new List<(DeliveryKey, string, string?)>();
            foreach (var (user, held) in shard.Members)
            {
                recipients++;
                var reachedBy = !held && fallback ? ReachedBy(trigger.Channels, composer.RecipientOf(user)) : null;
                for (var i = 0; i < trigger.Channels.Count; i++)
                {
                    var key = new DeliveryKey(trigger.CampaignId, user.RowKey, trigger.Channels[i].Channel, 1);
                    if (held)
                    {
                        rows.Add((key, DeliveryStates.HeldOut, "holdout"));
                        heldOut++;
                    }
                    else if (reachedBy?[i] is { } reason)
                    {
                        rows.Add((key, DeliveryStates.Skipped, reason));
                        skipped++;
                    }
                    else
                    {
                        rows.Add((key, DeliveryStates.Planned, null));
                        planned++;
                    }
                }
            }

            foreach (var unknown in shard.UnknownUserIds)
            {
                foreach (var channel in trigger.Channels)
                {
                    rows.Add((new DeliveryKey(trigger.CampaignId, unknown, channel.Channel, 1), DeliveryStates.Skipped, "unknown-user"));
                    skipped++;
                }
            }

            added += await ledger.PlanAsync(shard.Shard, rows, cancellationToken);
            if (trigger.Coupons.Count > 0 && !trigger.DryRun)
            {
                // before the chunks: a message that shows its coupon finds it issued; a replay gets the same codes back
                var validFrom = trigger.SendAt is { } at && at > time.GetUtcNow() ? at : time.GetUtcNow();
                var grants = shard.Members.Where(m => !m.HeldOut)
                    .SelectMany(m => trigger.Coupons.Select(c => (m.User.RowKey, new CouponGrant(c.Item, c.Value, c.Currency, validFrom, validFrom.AddDays(c.ValidDays)))))
                    .ToList();
                coupons += (await wallet.IssueAsync(shard.Shard, trigger.CampaignId, grants, cancellationToken)).Count;
            }

            // only after the shard's rows exist: chunks of contiguous user ids (members come in id order)
            foreach (var chunk in shard.Members.Where(m => !m.HeldOut).Select(m => m.User.RowKey).Chunk(options.Value.ChunkSize))
            {
                var message = new DeliveryChunk(trigger.CampaignId, shard.Shard, chunk[0], chunk[^1], TraceParent: Telemetry.EngagementTelemetry.CurrentTraceParent()).ToJson();
                await queue.SendMessageAsync(message, visibilityTimeout: delay, timeToLive: delay is { } d ? SendSchedule.TimeToLive(d) : null, cancellationToken: cancellationToken);
            }
        }

        return new CampaignPlan(recipients, planned, heldOut, skipped, added) { Coupons = coupons };
    }
}
