using System.Collections.Concurrent;

namespace Engagement.Local.Fakes;

/// <summary>What the Twilio fake does with one create-message request.</summary>
public enum TwilioFault
{
    /// <summary>Take the message and answer 201.</summary>
    None,

    /// <summary>Answer 429 with Retry-After; the message is not taken.</summary>
    Throttle,

    /// <summary>Take the message, then answer 500 (the worst case: it was sent, the client cannot know).</summary>
    ServerErrorAfterAccept,

    /// <summary>Take the message, then never answer: the request is held until the client gives up (its timeout) or goes away.</summary>
    TimeoutAfterAccept,

    /// <summary>Hold the request without taking the message until the client gives up or goes away (recorded with status 499).</summary>
    Hang,
}

/// <summary>
/// One create request as a fault script sees it: its place among the fake's create requests
/// (1-based, in arrival order), the number it is for, and which request to that number it is (1-based).
/// </summary>
public readonly record struct TwilioCall(long Index, string To, int Attempt);

/// <summary>Options of a <see cref="TwilioFake"/>.</summary>
public sealed record TwilioFakeOptions
{
    /// <summary>
    /// Seeds the draws behind the fault shares. Each draw comes from <see cref="System.Random"/>
    /// seeded with (this, the number, its attempt), so a seed gives every number the same fate on
    /// its n-th request whatever order concurrent sends arrive in.
    /// </summary>
    public int Seed { get; init; } = 1;
}

/// <summary>
/// Faults the fake injects. Decided per request, first match wins: <see cref="Script"/>, then
/// <see cref="ErrorCodes"/>, <see cref="ThrottleTimes"/>, then the shares (seeded draws, see
/// <see cref="TwilioFakeOptions.Seed"/>); otherwise the message is taken. <see cref="Latency"/> comes first.
/// </summary>
public sealed class TwilioFaults
{
    /// <summary>
    /// Faults chosen in advance, e.g. <c>c =&gt; c.Index is 3 or 7 ? TwilioFault.TimeoutAfterAccept : null</c>
    /// ("the 3rd and 7th requests time out"); null leaves the request to the rules below.
    /// </summary>
    public Func<TwilioCall, TwilioFault?>? Script { get; set; }

    /// <summary>Share of requests answered <see cref="TwilioFault.ServerErrorAfterAccept"/>.</summary>
    public double ServerErrorAfterAccept { get; set; }

    /// <summary>Share of requests answered <see cref="TwilioFault.Throttle"/>.</summary>
    public double Throttle { get; set; }

    /// <summary>Share of requests answered <see cref="TwilioFault.TimeoutAfterAccept"/>.</summary>
    public double TimeoutAfterAccept { get; set; }

    public TimeSpan Latency { get; set; }

    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Numbers answered 429 this many more times before they go through.</summary>
    public ConcurrentDictionary<string, int> ThrottleTimes { get; } = new(StringComparer.Ordinal);

    /// <summary>Numbers answered with a Twilio error code (21610 opted out, 21211 invalid...).</summary>
    public ConcurrentDictionary<string, int> ErrorCodes { get; } = new(StringComparer.Ordinal);

    /// <summary>The fault for <paramref name="call"/>, or null for a per-number error code (answered by the caller).</summary>
    internal TwilioFault? Decide(TwilioCall call, int seed)
    {
        if (Script?.Invoke(call) is { } scripted)
        {
            return scripted;
        }

        if (ErrorCodes.ContainsKey(call.To))
        {
            return null;
        }

        if (ThrottleTimes.TryGetValue(call.To, out var left) && left > 0 && ThrottleTimes.TryUpdate(call.To, left - 1, left))
        {
            return TwilioFault.Throttle;
        }

        var roll = new Random(SeedOf(seed, call)).NextDouble();
        if ((roll -= Throttle) < 0)
        {
            return TwilioFault.Throttle;
        }

        if ((roll -= ServerErrorAfterAccept) < 0)
        {
            return TwilioFault.ServerErrorAfterAccept;
        }

        return roll - TimeoutAfterAccept < 0 ? TwilioFault.TimeoutAfterAccept : TwilioFault.None;
    }

    // FNV-1a over the number and attempt: string.GetHashCode and HashCode differ from process to process
    private static int SeedOf(int seed, TwilioCall call)
    {
        var h = 2166136261u ^ (uint)seed;
        foreach (var c in call.To)
        {
            h = (h ^ c) * 16777619u;
        }

        h = (h ^ (uint)call.Attempt) * 16777619u;
        return (int)h;
    }
}
