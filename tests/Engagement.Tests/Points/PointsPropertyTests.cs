using Engagement.Points;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Points;

/// <summary>Properties of the pure ledger under random sequences of moves with a clock that only moves forward.</summary>
public sealed class PointsPropertyTests
{
    private static readonly PointsRules Rules = PointsAccountTests.Rules with { ExpiresAfterMonths = 2 }; // short: many expiries
    private static readonly DateTimeOffset Start = PointsAccountTests.Noon(2026, 1, 1);

    /// <summary>A move: 0 earn, 1 spend, 2 expire; points 1..300; hours the clock moves first (up to 40 days).</summary>
    private static readonly Gen<(int Kind, int Points, int Hours)> Move =
        Gen.Zip(
            Gen.Zip(Gen.Frequency((5, Gen.Constant(0)), (4, Gen.Constant(1)), (1, Gen.Constant(2))), Gen.Choose(1, 300), (kind, points) => (kind, points)),
            Gen.Frequency((3, Gen.Constant(0)), (4, Gen.Choose(1, 48)), (1, Gen.Choose(49, 960))),
            (move, hours) => (move.kind, move.points, hours));

    [Property(MaxTest = 200)]
    public Property Balance_AlwaysEqualsTheEntriesAndTheOpenBatches_AndIsNeverNegative() =>
        Prop.ForAll(Arb.From(Move.ListOf().Select(l => l.ToList())), moves =>
        {
            var account = PointsAccount.Empty;
            var ledger = new List<PointsEntry>();
            var at = Start;
            var i = 0;
            foreach (var (kind, points, hours) in moves)
            {
                at = at.AddHours(hours);
                var change = kind switch
                {
                    0 => account.Earn(Rules, $"a{i++}", points, at),
                    1 => account.Spend(Rules, $"s{i++}", points, at),
                    _ => account.ExpireDue(Rules, at),
                };
                Assert.True(!change.Refused || change.Account.Balance < points, "refused with enough points");
                ledger.AddRange(change.Entries);
                account = change.Account;

                Assert.True(account.Balance >= 0, $"balance {account.Balance}");
                Assert.Equal(ledger.Sum(e => e.Delta), account.Balance);
                Assert.Equal(account.Batches.Sum(b => b.Remaining), account.Balance);
                Assert.All(account.Batches, b => Assert.True(b.Remaining > 0 && Rules.ExpiresAt(b) > at, $"batch {b} open at {at:u}"));
                Assert.Equal(ledger.Where(e => e.Kind == PointsKinds.Earn).Sum(e => e.Points), account.Lifetime);
                Assert.Equal(account.Balance, ledger.Count == 0 ? 0 : ledger[^1].BalanceAfter);
            }

            // one expiry per batch, never more than its batch earned
            var expiries = ledger.Where(e => e.Kind == PointsKinds.Expire).ToList();
            Assert.Equal(expiries.Count, expiries.Select(e => e.SourceKey).Distinct().Count());
            Assert.All(expiries, x => Assert.True(x.Points <= ledger.Where(e => e.Kind == PointsKinds.Earn && e.Batch == x.Batch).Sum(e => e.Points)));
        });

    /// <summary>Earns on random days, then a spend of any part of the balance: it empties batches in expiry order and only the last drawn one may keep points.</summary>
    [Property(MaxTest = 200)]
    public Property Spend_DrawsSoonestExpiryFirst() =>
        Prop.ForAll(
            Arb.From(Gen.Zip(Gen.Zip(Gen.Choose(0, 50), Gen.Choose(1, 100), (days, points) => (days, points)).ListOf().Where(l => l.Count > 0), Gen.Choose(1, 1000), (earns, share) => (earns, share))),
            t =>
            {
                var (earns, share) = t;
                var account = PointsAccount.Empty;
                var at = Start;
                foreach (var (days, points) in earns)
                {
                    at = at.AddDays(days % 20); // within the two months: nothing expires before the spend
                    (account, _) = account.Earn(Rules, $"a{at:yyyyMMddHH}-{points}", points, at);
                }

                var amount = Math.Max(1, account.Balance * share / 1000);
                var (after, entries) = account.Spend(Rules, "s", amount, at);

                var spend = Assert.Single(entries);
                Assert.Equal(amount, spend.Draws.Sum(d => d.Points));
                var order = account.Batches.OrderBy(b => Rules.ExpiresAt(b)).ToList();
                for (var k = 0; k < spend.Draws.Count; k++)
                {
                    Assert.Equal(order[k].EarnedOn, spend.Draws[k].EarnedOn);
                    if (k < spend.Draws.Count - 1)
                    {
                        Assert.Equal(order[k].Remaining, spend.Draws[k].Points); // emptied before the next is touched
                    }
                }

                Assert.Equal(order.Skip(spend.Draws.Count).Select(b => b.EarnedOn), after.Batches.Skip(after.Batches.Count - (order.Count - spend.Draws.Count)).Select(b => b.EarnedOn));
            });
}
