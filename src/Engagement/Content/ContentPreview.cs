using Engagement.Users;
using Microsoft.Extensions.Options;

namespace Engagement.Content;

/// <summary>
/// What <c>engage content preview USER_ID</c> shows: the user's tier, interests and recent sends, the item the weekly run
/// would pick for them now and why, the repeats it excluded, and what this week's run recorded for them if it ran.
/// </summary>
public sealed record ContentPreviewResult(
    string UserId,
    string? Tier,
    InterestProfile Profile,
    IReadOnlyList<ContentSend> Excluded,
    ContentPick Pick,
    bool HeldOut,
    string RunId,
    ContentRunPick? Recorded);

/// <summary>
/// The weekly pick for one user without writing anything: the same catalogue, popularity (one pass over the tier, as
/// the run reads it) and picker as the run, at the current instant.
/// </summary>
public sealed class ContentPreview(ContentStore catalogue, ContentRunStore runs, UserStore users, ContentWeeklyRun run, IOptions<ContentWeeklyOptions> options, IOptions<ContentPickOptions> pick, TimeProvider time)
{
    /// <summary>Null when the user has no row.</summary>
    public async Task<ContentPreviewResult?> PreviewAsync(string userId, CancellationToken ct)
    {
        var rows = await users.ColumnsOfAsync([userId], [UserEntity.Tier, UserEntity.InterestWeights, UserEntity.ContentSent], ct);
        if (!rows.TryGetValue(userId, out var row))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var user = ContentWeeklyRun.UserOf(row);
        var tier = await users.ColumnsOfTierAsync(options.Value.Tier, [UserEntity.InterestWeights, UserEntity.ContentSent], ct);
        var index = ContentPickIndex.Build(await catalogue.ListAsync(ct), now, ContentWeeklyDecisions.Popularity(tier.Select(ContentWeeklyRun.UserOf), now, pick.Value.RepeatWindow));
        var choice = new ContentPicker(index, pick.Value).Pick(user.Profile.At(now, pick.Value.HalfLifeDays), user.Sent, now);
        var schedule = run.Schedule;
        var runId = Playbooks.PlaybookSchedule.RunId(ContentWeeklyRun.Playbook, schedule.PeriodOf(now));
        var recorded = await runs.PickAsync(runId, userId, ct);
        return new ContentPreviewResult(
            userId,
            row.GetString(UserEntity.Tier),
            user.Profile.At(now, pick.Value.HalfLifeDays),
            [.. user.Sent.Where(s => now - s.SentAt < pick.Value.RepeatWindow)],
            choice,
            Campaigns.CampaignPlanner.IsHeldOut(runId, userId, options.Value.HoldoutPercent),
            runId,
            recorded);
    }
}
