using Engagement.Activity;
using Engagement.Interactions;

namespace Engagement.Tests.Interactions;

/// <summary>The once-per-user-per-item rule as a pure decision: what a content open or click does to the user's row for the item.</summary>
public class ContentInteractionRowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static ContentInteractionSeen Seen(ContentAction action, DateTimeOffset at, string delivery = "content-a_s01/push|1|u1") =>
        new("u1", "recipe-1", delivery, delivery[..delivery.IndexOf('_', StringComparison.Ordinal)], ["food"], action, at);

    [Fact]
    public void FirstOpen_MakesTheRow_CountsAnOpen()
    {
        var row = ContentInteractionRow.After(null, Seen(ContentAction.Open, T0))!;

        Assert.Equal((T0, (DateTimeOffset?)null, "content-a"), (row.FirstOpenedAt, row.FirstClickedAt, row.CampaignId));
        Assert.Equal(new ContentInteractionCount(true, false), ContentInteractionRow.Counted(null, row));
    }

    [Fact]
    public void ClickAlone_CountsAnOpenAndAClick()
    {
        var row = ContentInteractionRow.After(null, Seen(ContentAction.Click, T0))!;

        Assert.Equal((T0, (DateTimeOffset?)T0), (row.FirstOpenedAt, row.FirstClickedAt));
        Assert.Equal(new ContentInteractionCount(true, true), ContentInteractionRow.Counted(null, row));
    }

    [Fact]
    public void ClickAfterOpen_CountsOnlyTheClick()
    {
        var opened = ContentInteractionRow.After(null, Seen(ContentAction.Open, T0))!;
        var clicked = ContentInteractionRow.After(opened, Seen(ContentAction.Click, T0.AddMinutes(1)))!;

        Assert.Equal((T0, (DateTimeOffset?)T0.AddMinutes(1)), (clicked.FirstOpenedAt, clicked.FirstClickedAt));
        Assert.Equal(new ContentInteractionCount(false, true), ContentInteractionRow.Counted(opened, clicked));
    }

    [Theory]
    [InlineData(ContentAction.Open, 0)]
    [InlineData(ContentAction.Open, 60)]
    [InlineData(ContentAction.Click, 0)]
    [InlineData(ContentAction.Click, 60)]
    public void ARepeatOrALaterOne_ChangesNothing(ContentAction action, int minutesLater)
    {
        var row = ContentInteractionRow.After(null, Seen(ContentAction.Click, T0))!;

        Assert.Null(ContentInteractionRow.After(row, Seen(action, T0.AddMinutes(minutesLater))));
    }

    [Fact]
    public void AnOlderEventArrivingLate_MovesTheFirstTimeEarlier_AndTakesItsDelivery_CountingNothingNew()
    {
        var row = ContentInteractionRow.After(null, Seen(ContentAction.Open, T0))!;
        var corrected = ContentInteractionRow.After(row, Seen(ContentAction.Open, T0.AddHours(-1), "content-b_s01/inapp|1|u1"))!;

        Assert.Equal((T0.AddHours(-1), "content-b", "content-b_s01/inapp|1|u1"), (corrected.FirstOpenedAt, corrected.CampaignId, corrected.DeliveryId));
        Assert.Equal(new ContentInteractionCount(false, false), ContentInteractionRow.Counted(row, corrected));
    }
}
