namespace Engagement.Functions.Tests.FunctionBodies;

/// <summary>One <see cref="FunctionApp"/> for a test class whose tests keep to their own users and queues (an Azurite start is the slow part).</summary>
public class FunctionAppFixture : IAsyncLifetime
{
    internal FunctionApp App { get; private set; } = null!;

    /// <summary>Settings added to the local host's (none by default).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public async Task InitializeAsync() => App = await FunctionApp.StartAsync(Settings);

    public async Task DisposeAsync() => await App.DisposeAsync();
}
