using Engagement.Delivery;

namespace Engagement.Tests.Delivery;

public class DeliveryTransitionsTests
{
    /// <summary>The moves the ledger allows, written out here independently of the table under test.</summary>
    private static readonly HashSet<(string From, string To)> Allowed =
    [
        (DeliveryStates.Planned, DeliveryStates.Sending),
        (DeliveryStates.Planned, DeliveryStates.Skipped),
        (DeliveryStates.Planned, DeliveryStates.Accepted),
        (DeliveryStates.Sending, DeliveryStates.Accepted),
        (DeliveryStates.Sending, DeliveryStates.Failed),
        (DeliveryStates.Sending, DeliveryStates.Unknown),
        (DeliveryStates.Sending, DeliveryStates.Skipped),
        (DeliveryStates.Sending, DeliveryStates.Planned),
        (DeliveryStates.Unknown, DeliveryStates.Accepted),
        (DeliveryStates.Unknown, DeliveryStates.Planned),
    ];

    public static TheoryData<string, string> EveryPair()
    {
        var data = new TheoryData<string, string>();
        foreach (var from in DeliveryStates.All)
        {
            foreach (var to in DeliveryStates.All)
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void IsAllowed_EveryPairOfStates_AllowedExactlyForTheListedMoves(string from, string to)
    {
        Assert.Equal(Allowed.Contains((from, to)), DeliveryTransitions.IsAllowed(from, to));
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void EnsureAllowed_EveryPairOfStates_ThrowsExactlyForTheRefusedMoves(string from, string to)
    {
        var refused = Record.Exception(() => DeliveryTransitions.EnsureAllowed(from, to));

        if (Allowed.Contains((from, to)))
        {
            Assert.Null(refused);
        }
        else
        {
            Assert.IsType<InvalidOperationException>(refused);
        }
    }

    [Fact]
    public void All_TheTable_HasExactlyTheListedMovesEachWithAWhy()
    {
        Assert.Equal(Allowed.Order(), DeliveryTransitions.All.Keys.Order());
        Assert.All(DeliveryTransitions.All.Values, why => Assert.False(string.IsNullOrWhiteSpace(why)));
    }

    [Fact]
    public void All_EveryStateOfTheTable_IsAKnownState()
    {
        Assert.Equal(7, DeliveryStates.All.Distinct().Count());
        Assert.All(DeliveryTransitions.All.Keys, move => Assert.Contains(move.From, DeliveryStates.All));
        Assert.All(DeliveryTransitions.All.Keys, move => Assert.Contains(move.To, DeliveryStates.All));
    }

    [Fact]
    public void All_BackMoves_AreOnlyTheTwoDeliberateOnesToPlanned()
    {
        var back = DeliveryTransitions.All.Keys.Where(m => m.To == DeliveryStates.Planned).ToList();

        Assert.Equal([(DeliveryStates.Sending, DeliveryStates.Planned), (DeliveryStates.Unknown, DeliveryStates.Planned)], back.Order());
        Assert.All(back, m => Assert.Contains("back-move", DeliveryTransitions.All[m], StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(DeliveryStates.Accepted)]
    [InlineData(DeliveryStates.Failed)]
    [InlineData(DeliveryStates.Skipped)]
    [InlineData(DeliveryStates.HeldOut)]
    public void IsAllowed_FromAFinalState_NothingMoves(string final)
    {
        Assert.All(DeliveryStates.All, to => Assert.False(DeliveryTransitions.IsAllowed(final, to)));
    }

    [Fact]
    public async Task TryMoveAsync_ARefusedMove_ThrowsBeforeAnyWrite()
    {
        // no storage at all: a refused move is a programming error, caught before the ledger touches a table
        var ledger = new DeliveryLedger(null!, TimeProvider.System);
        var row = new DeliveryRow { PartitionKey = "c1_s00", RowKey = "sms|1|u1", State = DeliveryStates.Accepted };

        await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.TryMoveAsync(row, row with { State = DeliveryStates.Planned }, CancellationToken.None));
    }
}
