using System.Diagnostics;
using Engagement.Local;
using Engagement.Local.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Cli.Commands;

/// <summary>What the delivery benchmarks (wake-up, content) share: settings that send push to the loopback FCM fake with quiet hours off, and CPU per phase.</summary>
internal static class BenchEngine
{
    public static IConfiguration Configuration(FcmFake fcm) =>
        new ConfigurationBuilder().AddConfiguration(CliEnvironment.Configuration()).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fcm:ProjectId"] = "engage-bench",
            ["Fcm:ServiceAccountJson"] = fcm.ServiceAccountJson,
            ["Fcm:BaseUrl"] = fcm.BaseUrl.ToString(),
            ["Delivery:QuietHoursStart"] = "00:00",
            ["Delivery:QuietHoursEnd"] = "00:00",
        }).Build();

    /// <summary>A fresh engine on its own Azurite, on <paramref name="clock"/>, its channel senders counted by <paramref name="tally"/>.</summary>
    public static Task<LocalEngine> StartAsync(IConfiguration configuration, TimeProvider clock, SendTally tally, CancellationToken ct) =>
        CliEnvironment.StartScratchAsync(ct, configuration, s =>
        {
            s.AddSingleton(clock);
            tally.Wrap(s);
        });

    /// <summary>CPU used so far by Azurite's node process and by this process (a loaded machine stretches wall time, not these).</summary>
    public static (TimeSpan Storage, TimeSpan Engine) CpuNow(LocalEngine engine) =>
        (engine.Azurite?.ProcessorTime ?? TimeSpan.Zero, Process.GetCurrentProcess().TotalProcessorTime);

    public static (double Storage, double Engine) CpuSince(LocalEngine engine, (TimeSpan Storage, TimeSpan Engine) from)
    {
        var now = CpuNow(engine);
        return ((now.Storage - from.Storage).TotalSeconds, (now.Engine - from.Engine).TotalSeconds);
    }

    /// <summary>Seconds from <paramref name="from"/> to the last send (NaN when nothing was sent).</summary>
    public static double SecondsTo(long from, long last) => last == 0 ? double.NaN : Stopwatch.GetElapsedTime(from, last).TotalSeconds;
}
