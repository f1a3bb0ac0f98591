using Engagement.Activity;
using Engagement.Local.Demo;
using Engagement.Segmentation;
using Engagement.Users;
using Microsoft.Extensions.Options;

namespace Engagement.IntegrationTests.Infrastructure;

public static class Population
{
    /// <summary>Seeds the demo population whose 120 days of history end on <paramref name="asOf"/>.</summary>
    public static async Task SeedAsync(LocalEngine engine, int users, DateOnly asOf)
    {
        var population = new DemoPopulation(users, asOf);
        await engine.Get<UserStore>().ReplaceAsync(population.Generate(engine.Get<ActivityCalendar>()), 8, TestEngine.Deadline());
    }

    public static async Task<List<UserRecord>> ScanAsync(LocalEngine engine)
    {
        var users = new List<UserRecord>();
        await foreach (var u in engine.Get<UserStore>().ScanAsync(TestEngine.Deadline()))
        {
            users.Add(u);
        }

        return users;
    }

    public static async Task<Dictionary<string, RfmStanding?>> StandingsAsync(LocalEngine engine) =>
        (await ScanAsync(engine)).ToDictionary(u => u.UserId, u => u.Standing, StringComparer.Ordinal);

    public sealed record Expected(RfmCutoffs Cutoffs, Dictionary<string, (RfmScores Scores, string Tier)> Standings)
    {
        public Dictionary<string, long> TierCounts() =>
            Standings.Values.GroupBy(s => s.Tier, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
    }

    /// <summary>
    /// The exact in-memory result for the stored users as of a day: <see cref="RfmBatchScorer"/> over every
    /// user's values. Users without history take the classifier's no-history rule with their registration
    /// date, as the nightly job does (the batch scorer has no registration dates).
    /// </summary>
    public static Expected ScoreInMemory(LocalEngine engine, IReadOnlyList<UserRecord> users, DateOnly asOf)
    {
        var options = engine.Get<IOptions<SegmentationOptions>>().Value;
        var classifier = engine.Get<TierClassifier>();
        var calendar = engine.Get<ActivityCalendar>();
        var values = users.Select(u => RfmValues.From(u.Activity, asOf.DayNumber, options.FrequencyWindowDays, options.MonetaryWindowDays)).ToArray();
        var result = RfmBatchScorer.Score(values, classifier);
        var standings = new Dictionary<string, (RfmScores, string)>(StringComparer.Ordinal);
        for (var i = 0; i < users.Count; i++)
        {
            var tier = values[i].HasHistory
                ? result.Tiers[i]
                : classifier.Classify(values[i], result.Scores[i], users[i].Profile.RegisteredOn is { } on ? calendar.DateOf(on) : null, asOf);
            standings[users[i].UserId] = (result.Scores[i], tier);
        }

        return new Expected(result.Cutoffs, standings);
    }

    /// <summary>Asserts every stored user has exactly the in-memory standing.</summary>
    public static async Task AssertStoredEqualsInMemoryAsync(LocalEngine engine, DateOnly asOf, NightlyRunSummary run)
    {
        var users = await ScanAsync(engine);
        var expected = ScoreInMemory(engine, users, asOf);
        Assert.Equal(expected.Cutoffs, run.Cutoffs);
        var wrong = users
            .Where(u => u.Standing is null || u.Standing.Scores != expected.Standings[u.UserId].Scores || u.Standing.Tier != expected.Standings[u.UserId].Tier)
            .Select(u => $"{u.UserId}: stored {u.Standing?.Scores}/{u.Standing?.Tier}, expected {expected.Standings[u.UserId].Scores}/{expected.Standings[u.UserId].Tier}")
            .Take(10)
            .ToList();
        Assert.Empty(wrong);
        Assert.Equal(expected.TierCounts().OrderBy(kv => kv.Key), run.TierCounts.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key));
    }

    /// <summary>
    /// <paramref name="count"/> SMS recipients in one tier: ids <c>{prefix}000</c>..., numbers
    /// <c>{numberPrefix}0000</c>... (E.164), Shanghai time, SMS consent.
    /// </summary>
    public static Task SeedSmsRecipientsAsync(LocalEngine engine, string prefix, string numberPrefix, int count, string tier) =>
        SeedRecipientsAsync(engine, Enumerable.Range(0, count).Select(i => ($"{prefix}{i:D3}", new UserProfile
        {
            Phone = numberPrefix + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
            TimeZone = "Asia/Shanghai",
            ConsentSms = true,
            Source = "test",
        }, tier)));

    /// <summary>Users with these profiles and a tier, as a nightly run would have written it (campaign tests need no RFM history).</summary>
    public static async Task SeedRecipientsAsync(LocalEngine engine, IEnumerable<(string UserId, UserProfile Profile, string Tier)> users)
    {
        var list = users.ToList();
        await engine.Get<UserStore>().UpsertProfilesAsync(list.Select(u => (u.UserId, u.Profile)), 4, TestEngine.Deadline());
        var table = await engine.Get<Engagement.Storage.StorageClients>().TableAsync(Engagement.Storage.TableNames.Users);
        var shards = engine.Get<Engagement.Storage.UserShards>();
        foreach (var u in list)
        {
            await table.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(shards.Of(u.UserId), u.UserId) { [UserEntity.Tier] = u.Tier }, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);
        }
    }
}
