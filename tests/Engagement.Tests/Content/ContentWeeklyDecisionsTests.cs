using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Content;
using static Engagement.Tests.Content.ContentPickerCases;

namespace Engagement.Tests.Content;

/// <summary>The weekly run's decide step: who is skipped, held out, resumed or picked, and how picks become campaigns.</summary>
public sealed class ContentWeeklyDecisionsTests
{
    private const string RunId = "content-2026-W50";

    private static readonly ContentItem[] Catalogue = [Item("workout", 1, ["fitness"]), Item("shake", 1, ["fitness", "recipes"]), Item("toy", 9, ["toys"])];

    private static readonly InterestProfile Fitness = InterestProfile.Empty.Add(ActivityType.Purchase, "fitness", Now.AddDays(-3), Options);

    private static ContentWeeklyUser User(string id, params ContentSend[] sent) => new(id, Fitness, sent);

    private static ContentWeeklyPlan Decide(IEnumerable<ContentWeeklyUser> users, IReadOnlyDictionary<string, ContentRunPick>? recorded = null, int holdout = 0) =>
        ContentWeeklyDecisions.Decide(RunId, Now, users, recorded ?? new Dictionary<string, ContentRunPick>(), ContentPickIndex.Build(Catalogue, Now), Options, holdout);

    private static string Treated(string prefix, int holdout) =>
        Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}").First(id => !CampaignPlanner.IsHeldOut(RunId, id, holdout));

    [Fact]
    public void HeldOutUser_IsRecordedWithTheirWouldBePick_AndGetsNoCampaignAndNoSentColumn()
    {
        var held = Enumerable.Range(0, 1000).Select(i => $"held-{i}").First(id => CampaignPlanner.IsHeldOut(RunId, id, 10));
        var treated = Treated("t", 10);

        var plan = Decide([User(held), User(treated)], holdout: 10);

        var heldPick = Assert.Single(plan.Picks, p => p.UserId == held);
        Assert.True(heldPick.HeldOut);
        Assert.Equal("shake", heldPick.ItemId); // what they would have got: outcomes compare its categories
        Assert.Null(heldPick.CampaignId);
        Assert.Equal([treated], plan.SentColumns.Select(s => s.UserId));
        Assert.False(Assert.Single(plan.Picks, p => p.UserId == treated).HeldOut);
    }

    [Fact]
    public void UserRecordedForTheRun_IsNotPickedAgain_AndNewCampaignsOfTheItemAreNumberedAfterTheRecordedOnes()
    {
        var recorded = new Dictionary<string, ContentRunPick>
        {
            ["a"] = new("a", "shake", ["fitness", "recipes"], ContentPickBasis.Interest, "r", 5, false, ContentTrigger.CampaignId(RunId, "shake", 0)),
        };

        var plan = Decide([User("a"), User("b")], recorded);

        var pick = Assert.Single(plan.Picks);
        Assert.Equal(("b", "shake", $"{RunId}-shake-1"), (pick.UserId, pick.ItemId, pick.CampaignId));
        Assert.Equal(["b"], plan.SentColumns.Select(s => s.UserId));
    }

    [Fact]
    public void SentColumnWrittenByAnInterruptedPass_IsThePick_NotASecondItem()
    {
        // the pass died after writing ContentSent (this run's instant: 'workout', though 'shake' ranks first now) and before
        // recording the pick: the user is recorded with 'workout', the item the column promised, and keeps one entry for it
        var plan = Decide([User("a", new ContentSend("toy", Now.AddDays(-7)), new ContentSend("workout", Now))]);

        var pick = Assert.Single(plan.Picks);
        Assert.Equal(("workout", $"{RunId}-workout-0"), (pick.ItemId, pick.CampaignId));
        var sent = ContentSentText.Parse(Assert.Single(plan.SentColumns).Sent);
        Assert.Equal([new ContentSend("toy", Now.AddDays(-7)), new ContentSend("workout", Now)], sent);
    }

    [Fact]
    public void ItemAlreadySentWithinTheWindow_IsNotPickedAgain_AndUsersOfOneItemShareCampaignsOfAtMostMaxUsers()
    {
        var users = Enumerable.Range(0, ContentTrigger.MaxUsers + 1).Select(i => User($"u{i:0000}", new ContentSend("shake", Now.AddDays(-7)))).ToList();

        var plan = Decide(users);

        Assert.All(plan.Picks, p => Assert.Equal("workout", p.ItemId));
        Assert.Equal([ContentTrigger.MaxUsers, 1], plan.Picks.GroupBy(p => p.CampaignId).Select(g => g.Count()));
        Assert.Equal($"{RunId}-workout-1", plan.Picks[^1].CampaignId); // users in id order: the last one opens the second chunk
    }

    [Fact]
    public void NothingLeftToPick_IsRecordedWithoutACampaign()
    {
        var plan = Decide([User("a", [.. Catalogue.Select(i => new ContentSend(i.Id, Now.AddDays(-7)))])]);

        var pick = Assert.Single(plan.Picks);
        Assert.Equal((null, ContentPickBasis.None, (string?)null), (pick.ItemId, pick.Basis, pick.CampaignId));
        Assert.Empty(plan.SentColumns);
    }

    [Fact]
    public void Popularity_CountsTheTiersSendsInsideTheWindow_NotTheRunsOwn()
    {
        var users = new[]
        {
            User("a", new ContentSend("toy", Now.AddDays(-7)), new ContentSend("shake", Now)),
            User("b", new ContentSend("toy", Now.AddDays(-14)), new ContentSend("workout", Now.AddDays(-7 * 13))),
        };

        var popularity = ContentWeeklyDecisions.Popularity(users, Now, Options.RepeatWindow);

        Assert.Equal(new Dictionary<string, long> { ["toy"] = 2 }, popularity.Overall);
        Assert.Equal(2, popularity.ByTopCategory["fitness"]["toy"]);
    }
}
