using System.ComponentModel.DataAnnotations;

namespace Engagement.Delivery;

/// <summary>What every provider's options have: the request time limit, retries and the circuit breaker (<see cref="ProviderPipeline"/>).</summary>
public abstract class ProviderOptions
{
    /// <summary>One request's time limit; a send that times out is ambiguous (recorded unknown, never resent blindly).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries of a send that surely did not leave (throttled, connection refused).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The circuit opens when this share of sends in <see cref="CircuitSamplingDuration"/> was ambiguous or not taken...</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>...out of at least this many...</summary>
    [Range(2, 100_000)]
    public int CircuitMinimumThroughput { get; set; } = 20;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>...and stays open (nothing sent, deliveries back to planned) this long.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public ProviderResilience Resilience() => new(MaxRetries, CircuitFailureRatio, CircuitMinimumThroughput, CircuitSamplingDuration, CircuitBreakDuration);
}
