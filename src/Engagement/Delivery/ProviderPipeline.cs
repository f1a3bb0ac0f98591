using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Retry;

namespace Engagement.Delivery;

/// <summary>How hard a provider is retried and when it is given a rest: each provider's options supply one.</summary>
public sealed record ProviderResilience(int MaxRetries, double CircuitFailureRatio, int CircuitMinimumThroughput, TimeSpan CircuitSamplingDuration, TimeSpan CircuitBreakDuration);

/// <summary>
/// The one resilience pipeline around a provider's sends (Polly v8), so every channel follows the
/// same rules: retry only results the provider's classifier marks as surely not sent, waiting what
/// its Retry-After said (else exponential back-off with jitter); a circuit breaker that opens when
/// too many sends are ambiguous or not taken (while open nothing is sent: <c>circuit-open</c>, the
/// delivery goes back to planned); optional pacing in permits per send (SMS segments).
/// </summary>
public sealed class ProviderPipeline
{
    private static readonly ResiliencePropertyKey<StrongBox<TimeSpan?>?> RetryAfterKey = new("retry-after");
    private static readonly ResiliencePropertyKey<int> PermitsKey = new("permits");
    private readonly ResiliencePipeline<SendResult> _pipeline;

    public ProviderPipeline(TimeProvider time, ProviderResilience settings, Func<SendResult, bool> retryable, RateLimiter? pacing = null)
    {
        var builder = new ResiliencePipelineBuilder<SendResult> { TimeProvider = time };
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<SendResult>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } r && retryable(r)),
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                // null: the back-off above
                DelayGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(RetryAfterKey, null)?.Value),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<SendResult>
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Status: SendStatus.Unknown or SendStatus.NotSent }),
            FailureRatio = settings.CircuitFailureRatio,
            MinimumThroughput = settings.CircuitMinimumThroughput,
            SamplingDuration = settings.CircuitSamplingDuration,
            BreakDuration = settings.CircuitBreakDuration,
        });
        if (pacing is not null)
        {
            builder.AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => pacing.AcquireAsync(Math.Max(1, args.Context.Properties.GetValue(PermitsKey, 1)), args.Context.CancellationToken),
            });
        }

        _pipeline = builder.Build();
    }

    /// <summary>Runs one send (with its retries); <paramref name="permits"/> is what pacing charges for it.</summary>
    public async Task<SendResult> ExecuteAsync(Func<CancellationToken, Task<SendResult>> send, int permits, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(PermitsKey, permits);
            return await _pipeline.ExecuteAsync(
                async (ctx, attempt) =>
                {
                    // each attempt opens a slot the endpoint handler fills from a 429's Retry-After
                    ctx.Properties.Set(RetryAfterKey, ProviderEndpointHandler.CaptureRetryAfter());
                    return await attempt(ctx.CancellationToken);
                },
                context,
                send);
        }
        catch (BrokenCircuitException)
        {
            return new SendResult(SendStatus.NotSent, Reason: "circuit-open");
        }
        catch (RateLimiterRejectedException)
        {
            return new SendResult(SendStatus.NotSent, Reason: "rate-limited");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
