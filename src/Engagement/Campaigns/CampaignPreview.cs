using Engagement.Delivery;
using Engagement.Storage;
using Engagement.Wallet;
using Microsoft.Extensions.Options;

namespace Engagement.Campaigns;

/// <summary>One recipient and channel as the preview judged it: would be sent (with its text) or why not.</summary>
public sealed record PreviewRow(string UserId, string Channel, string Outcome, string? Reason, string? Text);

public sealed record CampaignPreviewResult(IReadOnlyDictionary<(string Channel, string Outcome, string Reason), long> Counts, IReadOnlyList<PreviewRow> Samples);

/// <summary>
/// What a campaign would do now (or at its sendAt): the audience, the holdout and every send-time
/// policy applied to the stored users, and the rendered text — without sending anything or
/// writing a ledger row. Outcomes: <c>send</c>, <c>skip</c> (reason), <c>defer</c> (quiet hours),
/// <c>held-out</c>.
/// </summary>
public sealed class CampaignPreview(
    StorageClients storage,
    AudienceReader audience,
    DeliveryComposer composer,
    IEnumerable<IChannelSender> senders,
    IOptions<DeliveryOptions> options,
    TimeProvider time)
{
    /// <summary>Stands for a code not drawn yet (shown XXXX-XXXX-XXXX): as long as a real one and GSM-7, so the SMS segments come out the same.</summary>
    private const string PlaceholderCode = "XXXXXXXXXXXX";

    private readonly HashSet<string> _configured = senders.Select(s => s.Channel).ToHashSet(StringComparer.Ordinal);
    private readonly DeliveryPolicies _policies = new(options.Value);

    public async Task<CampaignPreviewResult> PreviewAsync(CampaignTrigger trigger, int samplesPerOutcome, CancellationToken cancellationToken)
    {
        var order = trigger.ToOrder();
        // codes are drawn when the plan issues them: the preview shows a stand-in of the same length (same SMS segments)
        var at = trigger.SendAt is { } sendAt && sendAt > time.GetUtcNow() ? sendAt : time.GetUtcNow();
        IReadOnlyList<Coupon> previewCoupons = [.. trigger.Coupons.Select(c => new Coupon(
            PlaceholderCode, "preview", trigger.CampaignId, c.Item, c.Value, c.Currency, at, at.AddDays(c.ValidDays), CouponStates.Issued, at, null))];
        var counts = new Dictionary<(string, string, string), long>();
        var samples = new List<PreviewRow>();
        void Add(PreviewRow row)
        {
            var key = (row.Channel, row.Outcome, row.Reason ?? "");
            counts[key] = counts.GetValueOrDefault(key) + 1;
            if (samples.Count(s => s.Channel == row.Channel && s.Outcome == row.Outcome && s.Reason == row.Reason) < samplesPerOutcome)
            {
                samples.Add(row);
            }
        }

        await foreach (var shard in audience.ReadAsync(trigger, DeliveryComposer.UserColumns, cancellationToken))
        {
            var touchLogs = await TouchLogs.ReadAsync(await storage.TableAsync(TableNames.TouchesOf(shard.Shard), cancellationToken), shard.Shard, cancellationToken);
            foreach (var (user, held) in shard.Members)
            {
                user[Users.UserEntity.Touches] = touchLogs.TryGetValue(user.RowKey, out var log) ? log.Touches : null;
                var recipient = composer.RecipientOf(user);
                var reachedBy = CampaignPlanner.ReachedBy(trigger.Channels, recipient);
                for (var i = 0; i < trigger.Channels.Count; i++)
                {
                    var channel = trigger.Channels[i].Channel;
                    if (held)
                    {
                        Add(new PreviewRow(user.RowKey, channel, DeliveryStates.HeldOut, "holdout", null));
                        continue;
                    }

                    if (reachedBy[i] is { } reason)
                    {
                        // what the plan records: the fallback row is skipped, never judged at send time
                        Add(new PreviewRow(user.RowKey, channel, "skip", reason, null));
                        continue;
                    }

                    var verdict = _policies.Evaluate(channel, recipient, trigger.ExpiresAt, at);
                    Add(verdict.Kind switch
                    {
                        VerdictKind.Skip => new PreviewRow(user.RowKey, channel, "skip", verdict.Reason, null),
                        VerdictKind.Defer => new PreviewRow(user.RowKey, channel, "defer", $"quiet hours until {verdict.Until:yyyy-MM-dd HH:mm}Z", null),
                        _ when !_configured.Contains(channel) => new PreviewRow(user.RowKey, channel, "skip", "no-provider", null),
                        _ => new PreviewRow(user.RowKey, channel, "send", null, composer.Compose(order, channel, "preview", 1, user, previewCoupons).Body),
                    });
                }
            }

            foreach (var unknown in shard.UnknownUserIds)
            {
                foreach (var channel in trigger.Channels.Select(c => c.Channel))
                {
                    Add(new PreviewRow(unknown, channel, "skip", "unknown-user", null));
                }
            }
        }

        return new CampaignPreviewResult(counts, samples);
    }
}
