using Engagement.Activity;
using Engagement.Content;
using Engagement.Ingest;
using Engagement.Users;

namespace Engagement.IntegrationTests.Activity;

/// <summary>
/// The ingest keeps each user's interest profile (<see cref="UserEntity.InterestWeights"/>) in the same write as the
/// activity, on Azurite: purchases weigh more than interactions, a replayed event adds nothing, and an older weight
/// decays by half over a half-life.
/// </summary>
public sealed class InterestIngestTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private ActivityIngestHandler Handler => fixture.Engine.Get<ActivityIngestHandler>();

    private async Task<InterestProfile> ProfileAsync(string userId)
    {
        var row = (await fixture.Engine.Get<UserStore>().ColumnsOfAsync([userId], [UserEntity.InterestWeights], TestEngine.Deadline()))[userId];
        return InterestProfile.Parse(row.GetString(UserEntity.InterestWeights));
    }

    [Fact]
    public async Task PurchasesOutweighInteractions_AReplayAddsNothing_AndAnOlderWeightHalvesOverAHalfLife()
    {
        var at = IngestFixture.Now.AddDays(-40);
        ActivityEvent[] first =
        [
            new("int-1", "int-u1", ActivityType.Purchase, 1_000, "fitness", at),
            new("int-2", "int-u1", ActivityType.Interaction, 0, "toys", at),
            new("int-3", "int-u1", ActivityType.Interaction, 0, "toys", at),
            new("int-4", "int-u1", ActivityType.Login, 0, null, at),
        ];

        await Handler.IngestAsync(first, TestEngine.Deadline());
        var once = await ProfileAsync("int-u1");
        await Handler.IngestAsync(first, TestEngine.Deadline()); // the same message again
        var replayed = await ProfileAsync("int-u1");

        var options = new ContentPickOptions();
        Assert.Equal(("fitness", options.WeightOf(ActivityType.Purchase), 2 * options.WeightOf(ActivityType.Interaction)), (once.Strongest, once.WeightOf("fitness"), once.WeightOf("toys")));
        Assert.Equal(once.Format(), replayed.Format());

        // one half-life later a toy purchase: the earlier weights are halved first
        var later = at.AddDays(options.HalfLifeDays);
        await Handler.IngestAsync([new ActivityEvent("int-5", "int-u1", ActivityType.Purchase, 500, "toys", later)], TestEngine.Deadline());
        var after = await ProfileAsync("int-u1");

        Assert.Equal(later, after.AsOf);
        Assert.Equal(options.WeightOf(ActivityType.Purchase) / 2, after.WeightOf("fitness"), 6);
        Assert.Equal(options.WeightOf(ActivityType.Interaction) + options.WeightOf(ActivityType.Purchase), after.WeightOf("toys"), 6);
        Assert.Equal("toys", after.Strongest);
    }
}
