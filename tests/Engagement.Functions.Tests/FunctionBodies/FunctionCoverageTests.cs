using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>A function added to the app without a test that runs its body fails here.</summary>
public sealed class FunctionCoverageTests
{
    [Fact]
    public void EveryFunction_HasATestHereNamedAfterIt()
    {
        var functions = typeof(FunctionsServiceCollectionExtensions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .ToList();
        // test names are Function_Scenario_Expectation
        var tested = typeof(FunctionCoverageTests).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(FunctionCoverageTests).Namespace)
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttributes<FactAttribute>().Any())
            .Select(m => m.Name.Split('_')[0])
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(functions); // the reflection found the [Function] methods at all
        Assert.All(functions, f => Assert.Contains(f, tested));
    }
}
