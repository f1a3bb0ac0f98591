using ArchUnitNET.Domain;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;

namespace Engagement.Tests.Architecture;

/// <summary>
/// Capability namespaces (Engagement.Activity, Engagement.Delivery, ...) depend on each other one way
/// only: a cycle means two capabilities can no longer change apart. The order they sit in is in
/// docs/data-model.md ("Layers"). Dependencies are read from the compiled IL, method bodies included.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Engine = new(() =>
        new ArchLoader().LoadAssemblies(typeof(EngagementServiceCollectionExtensions).Assembly).Build());

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Fixture = new(() =>
        new ArchLoader().LoadAssemblies(typeof(CycleFixture.Left.LeftThing).Assembly).Build());

    [Fact]
    public void CapabilityNamespaces_OfTheEngine_DoNotDependOnEachOtherBothWays()
    {
        var cycles = CyclesBetweenSlices(Engine.Value, "Engagement.(*)..");
        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join("\n", cycles));
    }

    /// <summary>Points sits above Wallet and below Ingest: it may use Storage, Users, Wallet, Activity (and the layers under them), nothing above.</summary>
    [Fact]
    public void Points_UsesOnlyTheLayersBelowIt()
    {
        string[] below = ["Engagement.Points", "Engagement.Settings", "Engagement.Telemetry", "Engagement.Storage", "Engagement.Messaging", "Engagement.Imports",
            "Engagement.Activity", "Engagement.Users", "Engagement.Wallet"];
        var uses = Engine.Value.Types
            .Where(t => t.Namespace.FullName.StartsWith("Engagement.Points", StringComparison.Ordinal))
            .SelectMany(t => t.Dependencies.Select(d => (From: t.FullName, To: d.Target.Namespace.FullName)))
            .ToList();
        Assert.Contains(uses, d => d.To == "Engagement.Wallet"); // the rule reads Points' dependencies at all
        var above = uses.Where(d => d.To.StartsWith("Engagement.", StringComparison.Ordinal) && !below.Any(b => d.To == b || d.To.StartsWith(b + ".", StringComparison.Ordinal)))
            .Select(d => $"{d.From} -> {d.To}").Distinct().ToList();
        Assert.True(above.Count == 0, "Points uses a layer above it:\n" + string.Join("\n", above));
    }

    [Fact]
    public void TheCycleRule_FindsADeliberateCycle()
    {
        // the same rule over two namespaces of this test assembly that use each other: it must fail
        var cycles = CyclesBetweenSlices(Fixture.Value, "Engagement.Tests.Architecture.CycleFixture.(*)..");
        Assert.NotEmpty(cycles);
        Assert.Contains(cycles, c => c.Contains("Left", StringComparison.Ordinal) && c.Contains("Right", StringComparison.Ordinal));
    }

    private static List<string> CyclesBetweenSlices(ArchUnitNET.Domain.Architecture architecture, string pattern)
    {
        var rule = SliceRuleDefinition.Slices().Matching(pattern).Should().BeFreeOfCycles();
        return [.. rule.Evaluate(architecture).Where(r => !r.Passed).Select(r => r.Description)];
    }
}
