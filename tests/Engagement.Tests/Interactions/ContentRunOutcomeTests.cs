using Engagement.Content;
using Engagement.Interactions;

namespace Engagement.Tests.Interactions;

/// <summary>The weekly content run's outcome, decided from picks, sends and interactions (no storage).</summary>
public sealed class ContentRunOutcomeTests
{
    /// <summary>Monday 7 Dec 2026 02:00 UTC, 10:00 in Shanghai: the run's occurrence.</summary>
    private static readonly DateTimeOffset Run = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);

    private static readonly DateOnly RunDay = new(2026, 12, 7);

    private static ContentRunPick Treated(string user, string item, string category, ContentPickBasis basis = ContentPickBasis.Interest) =>
        new(user, item, [category], basis, "", 1, HeldOut: false, "content-2026-W50-" + item + "-0");

    private static ContentRunPick Held(string user, string item, params string[] categories) =>
        new(user, item, categories, ContentPickBasis.Interest, "", 1, HeldOut: true, null);

    private static ContentInteractionRow Row(string user, string item, DateTimeOffset opened, DateTimeOffset? clicked = null, params string[] categories) => new()
    {
        UserId = user,
        ContentId = item,
        DeliveryId = "d",
        CampaignId = "c",
        Categories = categories,
        FirstOpenedAt = opened,
        FirstClickedAt = clicked,
    };

    private static ContentRunOutcome Decide(
        IEnumerable<ContentRunPick> picks, Dictionary<string, DateTimeOffset> sent, IReadOnlyList<ContentInteractionRow> rows, Dictionary<string, RecentInteractions>? recent = null) =>
        ContentRunOutcome.Decide("content-2026-W50", Run, picks.ToDictionary(p => p.UserId), sent, rows, recent ?? [], RunDay, windowDays: 7);

    [Fact]
    public void AnOpenCountsUpToTheEndOfTheWindowAfterTheSend_NotAtItsEnd()
    {
        var sent = Run.AddHours(3);
        var picks = new[] { Treated("in", "i1", "fit"), Treated("last", "i1", "fit"), Treated("at-end", "i1", "fit"), Treated("late-click", "i1", "fit") };
        var rows = new[]
        {
            Row("in", "i1", sent.AddDays(1)),
            Row("last", "i1", sent.AddDays(7).AddTicks(-1)),
            Row("at-end", "i1", sent.AddDays(7)),
            Row("late-click", "i1", sent.AddDays(8), sent.AddDays(8)),
        };

        var o = Decide(picks, picks.ToDictionary(p => p.UserId, _ => sent), rows);

        Assert.Equal((4, 4, 2, 0), (o.Picked, o.Sent, o.Opened, o.Clicked));
        Assert.Equal(new ContentRates(4, 2, 0, 0), o.Rates);
    }

    [Fact]
    public void AUserWhoOpenedAndClicked_CountsOnce_AndAPickNeverSentIsNotReached()
    {
        var picks = new[] { Treated("both", "i1", "fit"), Treated("click", "i2", "fit"), Treated("unsent", "i1", "fit"), Treated("other-item", "i1", "fit") };
        var sent = new Dictionary<string, DateTimeOffset> { ["both"] = Run, ["click"] = Run, ["other-item"] = Run };
        var rows = new[]
        {
            Row("both", "i1", Run.AddHours(1), Run.AddHours(2)),
            Row("click", "i2", Run.AddHours(1), Run.AddHours(1)),
            Row("unsent", "i1", Run.AddHours(1)),
            Row("other-item", "i9", Run.AddHours(1)), // another item, not this run's
        };

        var o = Decide(picks, sent, rows);

        Assert.Equal((4, 3, 2, 2), (o.Picked, o.Sent, o.Opened, o.Clicked));
        Assert.Equal(2, o.Rates.Interacted);
        Assert.Equal(2.0 / 3, o.Rates.Rate, 9);
    }

    [Fact]
    public void TheHoldoutsOrganicRate_CountsOnlyTheItemsCategories_WithinTheWindowDays()
    {
        var picks = new[]
        {
            Held("h-same", "i1", "fit", "run"), Held("h-second-category", "i1", "fit", "run"), Held("h-other", "i1", "fit"),
            Held("h-before", "i1", "fit"), Held("h-after", "i1", "fit"), Held("h-content", "i1", "fit"), Held("h-content-other", "i1", "fit"),
        };
        var recent = new Dictionary<string, RecentInteractions>
        {
            ["h-same"] = RecentInteractions.Empty.Add(RunDay, "fit"),
            ["h-second-category"] = RecentInteractions.Empty.Add(RunDay.AddDays(6), "run"),
            ["h-other"] = RecentInteractions.Empty.Add(RunDay.AddDays(1), "toys"),
            ["h-before"] = RecentInteractions.Empty.Add(RunDay.AddDays(-1), "fit"),
            ["h-after"] = RecentInteractions.Empty.Add(RunDay.AddDays(7), "fit"),
        };
        var rows = new[]
        {
            Row("h-content", "older-item", Run.AddDays(2), null, "fit"), // an earlier week's item opened from the inbox
            Row("h-content-other", "toy", Run.AddDays(2), null, "toys"),
        };

        var o = Decide(picks, [], rows, recent);

        Assert.Equal(new ContentRates(0, 0, 7, 3), o.Rates);
        Assert.Null(o.Rates.Lift); // no treated users: no difference
    }

    [Fact]
    public void PerCategory_SplitsByTheItemsFirstCategory_AndTheDifferenceHasItsInterval()
    {
        var picks = new List<ContentRunPick>();
        var sent = new Dictionary<string, DateTimeOffset>();
        var rows = new List<ContentInteractionRow>();
        var recent = new Dictionary<string, RecentInteractions>();
        for (var i = 0; i < 10; i++)
        {
            picks.Add(Treated($"f{i}", "fit-1", "fit"));
            sent[$"f{i}"] = Run;
            if (i < 4)
            {
                rows.Add(Row($"f{i}", "fit-1", Run.AddDays(1)));
            }

            picks.Add(Treated($"r{i}", "cake", "recipes", ContentPickBasis.Popular));
            sent[$"r{i}"] = Run;
            if (i < 1)
            {
                rows.Add(Row($"r{i}", "cake", Run.AddDays(1)));
            }
        }

        picks.Add(Held("hf", "fit-1", "fit", "recipes"));
        recent["hf"] = RecentInteractions.Empty.Add(RunDay, "recipes"); // its item's second category counts for its first's row
        picks.Add(Held("hr", "cake", "recipes"));

        var o = Decide(picks, sent, rows, recent);

        Assert.Equal(["fit", "recipes"], o.PerCategory.Select(c => c.Category));
        Assert.Equal(new ContentRates(10, 4, 1, 1), o.PerCategory[0].Rates);
        Assert.Equal(new ContentRates(10, 1, 1, 0), o.PerCategory[1].Rates);
        Assert.Equal(new ContentRates(20, 5, 2, 1), o.Rates);
        Assert.Equal((10, 4, 10, 1), (o.SentMatching, o.OpenedMatching, o.SentOther, o.OpenedOther));
        var lift = o.Rates.Lift!.Value;
        Assert.Equal(25 - 50, lift.Estimate, 9);
        Assert.True(lift.Low < lift.Estimate && lift.Estimate < lift.High);
    }
}
