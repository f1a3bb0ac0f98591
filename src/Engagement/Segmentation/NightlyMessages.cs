using System.Text.Json.Serialization;

namespace Engagement.Segmentation;

public static class NightlyPhase
{
    /// <summary>Each shard reports exact R/F/M histograms.</summary>
    public const string Stats = "stats";

    /// <summary>Each shard scores against the global cut-offs and writes what changed.</summary>
    public const string Assign = "assign";

    public const string Complete = "complete";
}

/// <summary>
/// One unit of nightly work on the <c>nightly-shards</c> queue: one phase of one shard of one run.
/// Assign messages carry the run's cut-offs (R, F, M as "asc|desc,b1,b2,b3,b4"), so a shard needs no
/// extra read of the run header; without them the header is read.
/// </summary>
public sealed record NightlyShardWork(string RunId, DateOnly AsOf, string Phase, string Shard, string[]? Cutoffs = null, string? TraceParent = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NightlyShardWork))]
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class NightlyJsonContext : JsonSerializerContext;
