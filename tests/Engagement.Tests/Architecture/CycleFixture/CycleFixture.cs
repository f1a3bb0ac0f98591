// Two namespaces that use each other, so NamespaceCycleTests can show its rule fails on a cycle.
namespace Engagement.Tests.Architecture.CycleFixture.Left
{
    public sealed class LeftThing
    {
        public Right.RightThing? Other { get; set; }
    }
}

namespace Engagement.Tests.Architecture.CycleFixture.Right
{
    public sealed class RightThing
    {
        public static int Count(Left.LeftThing thing) => thing.Other is null ? 0 : 1;
    }
}
