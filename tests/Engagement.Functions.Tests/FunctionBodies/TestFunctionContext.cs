using Microsoft.Azure.Functions.Worker;

namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>
/// The invocation context the worker would hand a function: its services are the app's (one scope
/// per invocation, as the worker does). What the worker fills from the host's gRPC invocation
/// (bindings, trace, retry, features) does not exist here and throws, so a function body that
/// starts relying on it fails these tests loudly instead of passing on a default.
/// </summary>
internal sealed class TestFunctionContext(IServiceProvider services, string functionName, CancellationToken cancellationToken) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString("N");

    public override string FunctionId => functionName;

    public override IServiceProvider InstanceServices { get; set; } = services;

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override CancellationToken CancellationToken => cancellationToken;

    public override TraceContext TraceContext => throw NotInTests();

    public override BindingContext BindingContext => throw NotInTests();

    public override RetryContext RetryContext => throw NotInTests();

    public override FunctionDefinition FunctionDefinition => throw NotInTests();

    public override IInvocationFeatures Features => throw NotInTests();

    private static NotSupportedException NotInTests() => new("filled from the host's invocation, which these tests do not have");
}
