using Engagement.Activity;
using Engagement.Content;
using static Engagement.Tests.Content.ContentPickerCases;

namespace Engagement.Tests.Content;

public sealed class ContentPickerTests
{
    private static readonly ContentItem[] Catalogue =
    [
        Item("toy-ad", 9, ["toys"]),
        Item("recipe-shake", 1, ["fitness", "recipes"]),
        Item("workout-plan", 1, ["fitness"]),
        Item("stretching", 1, ["fitness"]),
        Item("cake", 0, ["recipes"]),
        Item("old-offer", 5, ["fitness"], until: Now.AddDays(-1)),
    ];

    private static InterestProfile Fitness { get; } = InterestProfile.Empty
        .Add(ActivityType.Purchase, "fitness", Now.AddDays(-30), Options)
        .Add(ActivityType.Interaction, "recipes", Now.AddDays(-2), Options);

    private static ContentPick PickFor(InterestProfile profile, ContentSend[] sent, ContentPopularity? popularity = null, IEnumerable<ContentItem>? items = null) =>
        new ContentPicker(ContentPickIndex.Build(items ?? Catalogue, Now, popularity), Options).Pick(profile, sent, Now);

    private static ContentSend Sent(string id, int daysAgo) => new(id, Now.AddDays(-daysAgo));

    [Fact]
    public void APostWorkoutRecipe_NotAToyAd_ForAFitnessUser()
    {
        var pick = PickFor(Fitness, []);

        // fitness 2.5 (a purchase a half-life ago) + recipes ~0.95: the item carrying both wins over fitness alone
        Assert.Equal("recipe-shake", pick.ItemId);
        Assert.Equal(ContentPickBasis.Interest, pick.Basis);
        Assert.Equal(2.5 + Math.Pow(0.5, 2.0 / 30), pick.Score, 9);
        Assert.Equal("matches your strongest interest 'fitness' (3.45)", pick.Reason);
    }

    [Fact]
    public void TheStrongestInterestWins_OverAnItemMatchingSeveralWeakerOnes()
    {
        var profile = InterestProfile.Create(Now, ["fitness", "recipes", "toys"], [3, 2, 2]);
        var items = new[] { Item("mix", 0, ["recipes", "toys"]), Item("run", 0, ["fitness"]) };

        Assert.Equal("run", PickFor(profile, [], items: items).ItemId);
    }

    [Fact]
    public void TiesGoToPriority_ThenToTheIdInOrdinalOrder()
    {
        var profile = InterestProfile.Create(Now, ["fitness"], [1]);

        Assert.Equal("recipe-shake", PickFor(profile, []).ItemId); // all fitness items score 1 and have priority 1: ids decide
        Assert.Equal("stretching", PickFor(profile, [Sent("recipe-shake", 7)]).ItemId); // priority 1 both: "stretching" < "workout-plan"
        Assert.Equal("a-high", PickFor(profile, [], items: [Item("b", 1, ["fitness"]), Item("a-high", 2, ["fitness"]), Item("a", 1, ["fitness"])]).ItemId);
    }

    [Fact]
    public void AnItemSentInsideTheWindowIsSkipped_AndPickableAgainAtTheWindowsEnd()
    {
        var within = PickFor(Fitness, [Sent("recipe-shake", 12 * 7 - 1)]);
        var after = PickFor(Fitness, [Sent("recipe-shake", 12 * 7)]);

        Assert.Equal("stretching", within.ItemId);
        Assert.Equal("recipe-shake", after.ItemId);
    }

    [Fact]
    public void AnInactiveItemIsNeverPicked()
    {
        var profile = InterestProfile.Create(Now, ["fitness"], [1]);

        var pick = PickFor(profile, [Sent("recipe-shake", 1), Sent("workout-plan", 1), Sent("stretching", 1)]);

        Assert.NotEqual("old-offer", pick.ItemId);
        Assert.Equal(ContentPickBasis.Catalogue, pick.Basis); // no popularity: the first unseen item by priority
        Assert.Equal("toy-ad", pick.ItemId);
        Assert.Equal("nothing unseen matches your interests; the catalogue's first unseen item by priority", pick.Reason);
    }

    [Fact]
    public void NoUnseenMatch_FallsBackToSimilarUsers_ThenOverall()
    {
        var profile = InterestProfile.Create(Now, ["fitness"], [1]);
        var sent = new[] { Sent("recipe-shake", 1), Sent("workout-plan", 1), Sent("stretching", 1) };
        var popularity = new ContentPopularity(
            new Dictionary<string, long> { ["toy-ad"] = 50, ["cake"] = 10 },
            new Dictionary<string, IReadOnlyDictionary<string, long>>
            {
                ["fitness"] = new Dictionary<string, long> { ["workout-plan"] = 40, ["cake"] = 3 },
                ["toys"] = new Dictionary<string, long> { ["toy-ad"] = 99 },
            });

        var similar = PickFor(profile, sent, popularity);
        var overall = PickFor(profile, [.. sent, Sent("cake", 3)], popularity);

        Assert.Equal(("cake", ContentPickBasis.SimilarUsers), (similar.ItemId, similar.Basis));
        Assert.Equal("nothing unseen matches your interests; popular with users who like 'fitness'", similar.Reason);
        Assert.Equal(("toy-ad", ContentPickBasis.Popular), (overall.ItemId, overall.Basis));
    }

    [Fact]
    public void NoSignal_GetsTheMostPopularItemOverall()
    {
        var popularity = new ContentPopularity(new Dictionary<string, long> { ["cake"] = 10, ["unknown"] = 99 }, new Dictionary<string, IReadOnlyDictionary<string, long>>());

        var pick = PickFor(InterestProfile.Empty, [], popularity);
        var faded = PickFor(InterestProfile.Create(Now.AddYears(-1000), ["fitness"], [1]), [], popularity);

        Assert.Equal(("cake", ContentPickBasis.Popular, "no interests yet; popular with all users"), (pick.ItemId, pick.Basis, pick.Reason));
        Assert.Equal(pick, faded);
    }

    [Fact]
    public void EverythingSent_OrNothingActive_IsNoPick_WithTheReason()
    {
        var all = Catalogue.Select(i => Sent(i.Id, 1)).ToArray();

        var none = PickFor(Fitness, all);
        var empty = PickFor(Fitness, [], items: []);

        Assert.Equal(((string?)null, ContentPickBasis.None, "every active item was sent within the last 12 weeks"), (none.ItemId, none.Basis, none.Reason));
        Assert.Equal(((string?)null, "no active item in the catalogue"), (empty.ItemId, empty.Reason));
    }

    [Fact]
    public void ASecondInterest_IsNamedWhenTheStrongestHasNothingUnseen()
    {
        var pick = PickFor(Fitness, [Sent("recipe-shake", 1), Sent("workout-plan", 1), Sent("stretching", 1)]);

        Assert.Equal("cake", pick.ItemId);
        Assert.Equal("matches your interest 'recipes' (0.95); nothing unseen for 'fitness'", pick.Reason);
    }
}
