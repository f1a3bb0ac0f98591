namespace Engagement.WakeUp;

/// <summary>What one tick of the wake-up plan did.</summary>
public sealed record WakeUpTickResult(WakeUpStartResult Starts, WakeUpSendResult Sends);

/// <summary>
/// The wake-up plan's timer body (run by the playbook timer, every 10 minutes by default): plans start and end from the
/// latest completed night, then due steps are sent and closed ones recorded. Disabled: nothing starts, but steps of
/// running plans still go out and close (a plan promised seven days).
/// </summary>
public sealed class WakeUpTick(WakeUpStarter starter, WakeUpSender sender, Microsoft.Extensions.Options.IOptions<WakeUpOptions> options)
{
    public async Task<WakeUpTickResult> RunAsync(CancellationToken cancellationToken)
    {
        var starts = options.Value.Enabled ? await starter.StartFromLatestNightAsync(cancellationToken) : new WakeUpStartResult(null, 0, 0, 0, 0);
        return new WakeUpTickResult(starts, await sender.SendDueAsync(cancellationToken));
    }
}
