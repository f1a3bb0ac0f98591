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
