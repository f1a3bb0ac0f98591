using Azure;
using Engagement.Activity;

namespace Engagement.Interactions;

/// <summary>One content open or click, resolved: the item's categories and the delivery's campaign come with it.</summary>
public sealed record ContentInteractionSeen(
    string UserId,
    string ContentId,
    string DeliveryId,
    string CampaignId,
    IReadOnlyList<string> Categories,
    ContentAction Action,
    DateTimeOffset At);

/// <summary>What one recorded interaction counted: a first open and/or a first click of the user's item (both false: nothing new).</summary>
public sealed record ContentInteractionCount(bool Opened, bool Clicked);

/// <summary>
/// A user's interactions with one content item: one row per (user, item), so each counts once. A click implies an
/// open (the user saw the item to click it), so a click alone sets both. The delivery, campaign and categories are
/// those of the earliest interaction, the one the item's delivery is credited with.
/// </summary>
public sealed record ContentInteractionRow
{
    public required string UserId { get; init; }

    public required string ContentId { get; init; }

    public required string DeliveryId { get; init; }

    public required string CampaignId { get; init; }

    public IReadOnlyList<string> Categories { get; init; } = [];

    public required DateTimeOffset FirstOpenedAt { get; init; }

    public DateTimeOffset? FirstClickedAt { get; init; }

    /// <summary>As read: every change is conditional on it.</summary>
    public ETag ETag { get; init; }

    /// <summary>
    /// The row after <paramref name="seen"/>: the first times only ever move earlier (a replay or a late older event
    /// changes nothing, or corrects them); null when nothing changes. A pure decision: the store writes it.
    /// </summary>
    public static ContentInteractionRow? After(ContentInteractionRow? row, ContentInteractionSeen seen)
    {
        var clickedAt = seen.Action == ContentAction.Click ? seen.At : (DateTimeOffset?)null;
        if (row is null)
        {
            return new ContentInteractionRow
            {
                UserId = seen.UserId,
                ContentId = seen.ContentId,
                DeliveryId = seen.DeliveryId,
                CampaignId = seen.CampaignId,
                Categories = seen.Categories,
                FirstOpenedAt = seen.At,
                FirstClickedAt = clickedAt,
            };
        }

        var opened = seen.At < row.FirstOpenedAt ? seen.At : row.FirstOpenedAt;
        var clicked = clickedAt is { } c && (row.FirstClickedAt is not { } was || c < was) ? c : row.FirstClickedAt;
        if (opened == row.FirstOpenedAt && clicked == row.FirstClickedAt)
        {
            return null;
        }

        var earliest = opened < row.FirstOpenedAt;
        return row with
        {
            FirstOpenedAt = opened,
            FirstClickedAt = clicked,
            DeliveryId = earliest ? seen.DeliveryId : row.DeliveryId,
            CampaignId = earliest ? seen.CampaignId : row.CampaignId,
            Categories = earliest ? seen.Categories : row.Categories,
        };
    }

    /// <summary>What <paramref name="after"/> counts over <paramref name="before"/>: a first open, a first click.</summary>
    public static ContentInteractionCount Counted(ContentInteractionRow? before, ContentInteractionRow after) =>
        new(before is null, before?.FirstClickedAt is null && after.FirstClickedAt is not null);
}
