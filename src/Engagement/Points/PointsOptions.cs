using Engagement.Activity;

namespace Engagement.Points;

/// <summary>
/// The <c>Points</c> section: what each activity earns, when points expire, the lifetime points of levels 2..8 and the
/// catalogue of coupons points buy. Lists left empty take the defaults (<see cref="ApplyDefaults"/>): the binder would
/// otherwise append configured elements to default ones, so a configured list replaces the default list whole.
/// </summary>
public sealed class PointsOptions
{
    public const string SectionName = "Points";

    /// <summary>The highest level; <see cref="LevelThresholds"/> holds one threshold per level above 1.</summary>
    public const int MaxLevel = 8;

    /// <summary>Longest expiry: the account row keeps one batch per earned day, and must stay within a string column.</summary>
    public const int MaxExpiresAfterMonths = 36;

    public static readonly IReadOnlyList<long> DefaultThresholds = [100, 300, 700, 1500, 3000, 6000, 12000];

    /// <summary>Points per activity event by type (<c>Points__Earn__Purchase=10</c>: per purchase); 0 earns nothing.</summary>
    public Dictionary<string, int> Earn { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(ActivityType.Login)] = 1,
        [nameof(ActivityType.Interaction)] = 2,
        [nameof(ActivityType.Purchase)] = 10,
    };

    /// <summary>Points earned on a local day (ops zone) stay valid through the same day this many months later.</summary>
    public int ExpiresAfterMonths { get; set; } = 12;

    /// <summary>
    /// Accounts each process keeps with their ETag so a move needs no read (<see cref="PointsAccountCache"/>); 0 turns
    /// the cache off. Estimated ~250 bytes plus ~40 per open batch (earned day) each: 100,000 accounts of 20 earned
    /// days are ~100 MB.
    /// </summary>
    public int CachedAccounts { get; set; } = 100_000;

    /// <summary>Lifetime points to reach levels 2..8, ascending (empty: <see cref="DefaultThresholds"/>).</summary>
    public List<long> LevelThresholds { get; set; } = [];

    /// <summary>What points redeem (empty: <see cref="DefaultCatalogue"/>).</summary>
    public List<PointsItem> Catalogue { get; set; } = [];

    public static List<PointsItem> DefaultCatalogue() =>
    [
        new() { Item = "coupon-5", Cost = 100, Value = 5m, Currency = "CNY", ValidDays = 30 },
        new() { Item = "coupon-20", Cost = 300, Value = 20m, Currency = "CNY", ValidDays = 30 },
    ];

    /// <summary>Points one event of <paramref name="type"/> earns (0 when not configured).</summary>
    public int EarnFor(ActivityType type) => Earn.TryGetValue(type.ToString(), out var points) ? points : 0;

    /// <summary>The catalogue item named <paramref name="item"/> (case-sensitive: it becomes the coupon's item), or null.</summary>
    public PointsItem? Find(string item) => Catalogue.FirstOrDefault(i => string.Equals(i.Item, item, StringComparison.Ordinal));

    internal void ApplyDefaults()
    {
        if (LevelThresholds.Count == 0)
        {
            LevelThresholds = [.. DefaultThresholds];
        }

        if (Catalogue.Count == 0)
        {
            Catalogue = DefaultCatalogue();
        }
    }
}

/// <summary>One redeemable item: <see cref="Cost"/> points buy a coupon worth <see cref="Value"/> <see cref="Currency"/> for <see cref="ValidDays"/> days.</summary>
public sealed class PointsItem
{
    /// <summary>The catalogue id, also the coupon's item in the wallet (no '|', space or characters table keys refuse).</summary>
    public string Item { get; set; } = "";

    public long Cost { get; set; }

    public decimal Value { get; set; }

    public string Currency { get; set; } = "CNY";

    public int ValidDays { get; set; } = 30;
}
