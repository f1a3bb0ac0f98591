using System.Globalization;

namespace Engagement.Local.Demo;

/// <summary>
/// How the month demo's simulated users answer a playbook: assumptions of the demo, printed above its
/// table so nobody mistakes the demo's uplift for a measured one. The untreated rates are the ops
/// team's baselines (../shared/domain.md); the treated ones are the plan's targets.
/// </summary>
/// <param name="DormantBaseline">Share of dormant users active again within the window with no message (6%).</param>
/// <param name="DormantTreated">Share of dormant users reached by the win-back who are active again within the window (9%).</param>
/// <param name="WindowDays">The window the two shares are over (the win-back's attribution window).</param>
/// <param name="RedeemShare">Share of reactivated, reached users who redeem the coupon they were sent.</param>
/// <param name="HighValueRedeemShare">Share of high-value users who redeem a coupon of their monthly pack.</param>
public sealed record DemoReactions(double DormantBaseline = 0.06, double DormantTreated = 0.09, int WindowDays = 14, double RedeemShare = 0.5, double HighValueRedeemShare = 0.4,
    double TaskDayOne = 0.5, double TaskDaySeven = 0.3,
    double ContentOpenMatching = 0.14, double ContentOpenOther = 0.05, double ContentClickShare = 1.0 / 3, double ContentOrganic = 0.08)
{
    /// <summary>
    /// How a user answers a weekly content item: opens it (within three days of the send) at <see cref="ContentOpenMatching"/>
    /// when its category is their interest, else at <see cref="ContentOpenOther"/>; a third of openers click. Null: not
    /// opened. Deterministic per (seed, user, run).
    /// </summary>
    public (double AfterHours, bool Clicks)? OpensContent(int seed, string userId, string runId, bool matching)
    {
        var rng = new Random(DemoPopulation.Seed(seed, StableHash(userId), StableHash(runId) ^ 0x27d4eb2f));
        return rng.NextDouble() < (matching ? ContentOpenMatching : ContentOpenOther) ? (1 + rng.NextDouble() * 71, rng.NextDouble() < ContentClickShare) : null;
    }

    /// <summary>The day (0-6 of the run's week) a user of a content run interacts in the item's category on their own, or null (<see cref="ContentOrganic"/> a week).</summary>
    public int? OrganicContentDay(int seed, string userId, string runId)
    {
        var rng = new Random(DemoPopulation.Seed(seed, StableHash(userId), StableHash(runId) ^ 0x165667b1));
        return rng.NextDouble() < ContentOrganic ? rng.Next(0, 7) : null;
    }

    /// <summary>The share of users who do step <paramref name="step"/>'s task the day it arrives: from <see cref="TaskDayOne"/> falling evenly to <see cref="TaskDaySeven"/>.</summary>
    public double TaskShare(int step) => TaskDayOne + (TaskDaySeven - TaskDayOne) * (step - 1) / 6.0;

    /// <summary>Whether a user does a wake-up step's task, deterministic per (seed, user, plan step).</summary>
    public bool DoesTask(int seed, string userId, string planId, int step) =>
        new Random(DemoPopulation.Seed(seed, StableHash(userId), StableHash(planId) ^ step)).NextDouble() < TaskShare(step);

    /// <summary>The daily chance of an organic return that gives <see cref="DormantBaseline"/> over the window: 1 - (1 - p)^days = baseline.</summary>
    public double DailyOrganicReturn => 1 - Math.Pow(1 - DormantBaseline, 1.0 / WindowDays);

    /// <summary>
    /// The chance that a reached user comes back because of the message, on top of the organic chance, so the
    /// reached group ends at <see cref="DormantTreated"/>: organic or answered = 1 - (1 - baseline)(1 - answer).
    /// </summary>
    public double AnswerToMessage => 1 - (1 - DormantTreated) / (1 - DormantBaseline);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"Simulated response (demo assumptions, not measurements): dormant users come back on their own at {DormantBaseline * 100:0.#}% within {WindowDays} days, reached ones at {DormantTreated * 100:0.#}%; {RedeemShare * 100:0}% of reached returners and {HighValueRedeemShare * 100:0}% of high-value users redeem a coupon; {TaskDayOne * 100:0}% of wake-up users do day 1's task, falling to {TaskDaySeven * 100:0}% on day 7; a weekly content item is opened by {ContentOpenMatching * 100:0.#}% of users when it matches their interest, {ContentOpenOther * 100:0.#}% otherwise, {ContentClickShare * 100:0}% of openers click, and during a content run's week a regular user interacts in the item's category on their own at {ContentOrganic * 100:0.#}% (their generated interactions carry no category then).");

    /// <summary>
    /// The day (0-based, within the window from <paramref name="from"/>) a user comes back, or null; deterministic per
    /// (seed, user, run), so a rerun of the demo tells the same story.
    /// </summary>
    public int? ReturnDay(int seed, string userId, string runId, bool reached)
    {
        var rng = new Random(DemoPopulation.Seed(seed, StableHash(userId), StableHash(runId)));
        if (reached && rng.NextDouble() < AnswerToMessage)
        {
            return rng.Next(0, Math.Min(3, WindowDays)); // an answer comes within a few days of the message
        }

        for (var day = 0; day < WindowDays; day++)
        {
            if (rng.NextDouble() < DailyOrganicReturn)
            {
                return day;
            }
        }

        return null;
    }

    /// <summary>Whether a user redeems a coupon, deterministic per (seed, user, run).</summary>
    public static bool Redeems(int seed, string userId, string runId, double share) =>
        new Random(DemoPopulation.Seed(seed, StableHash(userId), StableHash(runId) ^ 0x5bd1e995)).NextDouble() < share;

    /// <summary>FNV-1a of the UTF-16 code units: the same in every process (string.GetHashCode is not).</summary>
    internal static int StableHash(string text)
    {
        var h = 2166136261u;
        foreach (var c in text)
        {
            h = (h ^ c) * 16777619u;
        }

        return (int)h;
    }
}
