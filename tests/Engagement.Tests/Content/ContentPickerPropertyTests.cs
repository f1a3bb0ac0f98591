using Engagement.Content;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static Engagement.Tests.Content.ContentPickerCases;

namespace Engagement.Tests.Content;

/// <summary>The done-when for the pick, over random catalogues, profiles, histories and popularity.</summary>
public sealed class ContentPickerPropertyTests
{
    private static readonly Arbitrary<Case> Cases = Arb.From(AnyCase);

    [Property(MaxTest = 500)]
    public Property Pick_NeverRepeatsAnItemInsideTheWindow() =>
        Prop.ForAll(Cases, c =>
        {
            var pick = Pick(c);
            Assert.True(pick.ItemId is null || !Blocked(c).Contains(pick.ItemId), $"{pick} was sent within the window");
        });

    [Property(MaxTest = 500)]
    public Property Pick_IsAlwaysAnActiveItem_AndNoneOnlyWhenEveryActiveItemWasSent() =>
        Prop.ForAll(Cases, c =>
        {
            var pick = Pick(c);
            var unseenActive = c.Items.Where(i => i.IsActiveAt(Now) && !Blocked(c).Contains(i.Id)).ToList();
            if (pick.ItemId is null)
            {
                Assert.Empty(unseenActive);
                Assert.Equal(ContentPickBasis.None, pick.Basis);
            }
            else
            {
                Assert.Contains(c.Items, i => i.Id == pick.ItemId && i.IsActiveAt(Now));
            }
        });

    [Property(MaxTest = 500)]
    public Property Pick_PrefersTheStrongestInterest_WhenItHasAnUnseenActiveItem() =>
        Prop.ForAll(Cases, c =>
        {
            if (c.Profile.Count == 0)
            {
                return;
            }

            // the strongest interest (all categories tied at the top weight)
            var strongest = c.Profile.Categories.Where(k => c.Profile.WeightOf(k) == c.Profile.Weights[0]).ToHashSet();
            bool Carries(ContentItem i) => i.Categories.Any(k => strongest.Contains(k.ToLowerInvariant()));
            if (!c.Items.Any(i => i.IsActiveAt(Now) && !Blocked(c).Contains(i.Id) && Carries(i)))
            {
                return;
            }

            var pick = Pick(c);
            Assert.Equal(ContentPickBasis.Interest, pick.Basis);
            Assert.True(Carries(c.Items.First(i => i.Id == pick.ItemId)), $"{pick} does not carry {string.Join('/', strongest)}");
            Assert.StartsWith("matches your strongest interest", pick.Reason, StringComparison.Ordinal);
        });

    [Property(MaxTest = 500)]
    public Property Pick_IsTheBestMatchOfTheReferenceModel() =>
        Prop.ForAll(Cases, c =>
        {
            var pick = Pick(c);
            var decay = InterestProfile.Decay(c.Profile.AsOf, Now, Options.HalfLifeDays);
            var ranked = c.Items.Where(i => i.IsActiveAt(Now) && !Blocked(c).Contains(i.Id))
                .Select(i => (Item: i, Top: TopWeight(c.Profile, i, decay), Sum: Score(c.Profile, i, decay)))
                .Where(x => x.Top > 0)
                .OrderByDescending(x => x.Top).ThenByDescending(x => x.Sum).ThenByDescending(x => x.Item.Priority).ThenBy(x => x.Item.Id, StringComparer.Ordinal)
                .ToList();
            if (ranked.Count == 0)
            {
                Assert.NotEqual(ContentPickBasis.Interest, pick.Basis);
                return;
            }

            Assert.Equal(ranked[0].Item.Id, pick.ItemId);
            Assert.Equal(ranked[0].Sum, pick.Score);
        });

    [Property(MaxTest = 300)]
    public Property Pick_IsDeterministic_WhateverTheItemsOrder() =>
        Prop.ForAll(Arb.From(from c in AnyCase from shuffled in Gen.Shuffle(c.Items) select (c, shuffled)), x =>
        {
            var (c, shuffled) = x;
            var first = Pick(c);
            Assert.Equal(first, Pick(c));
            Assert.Equal(first, Pick(c, shuffled));

            // one picker reused across users (its scratch arrays) gives the same picks as fresh ones
            var picker = new ContentPicker(ContentPickIndex.Build(c.Items, Now, c.Popularity), Options);
            Assert.Equal(picker.Pick(InterestProfile.Empty, [], Now), picker.Pick(InterestProfile.Empty, [], Now));
            Assert.Equal(first, picker.Pick(c.Profile, c.Sent, Now));
        });

    private static double TopWeight(InterestProfile profile, ContentItem item, double decay) =>
        profile.Categories.Where(k => item.Categories.Contains(k, StringComparer.OrdinalIgnoreCase)).Select(k => profile.WeightOf(k) * decay).DefaultIfEmpty(0).Max();

    // summed heaviest first, as the picker does, so equal doubles mean equal
    private static double Score(InterestProfile profile, ContentItem item, double decay) =>
        profile.Categories.Where(k => item.Categories.Contains(k, StringComparer.OrdinalIgnoreCase)).Aggregate(0.0, (s, k) => s + (profile.WeightOf(k) * decay));
}
