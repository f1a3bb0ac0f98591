namespace Engagement.Storage;

/// <summary>Every table the engine uses. Names are also the Bicep declarations' names.</summary>
public static class TableNames
{
    public const string Users = "users";
    public const string NightlyRuns = "nightlyruns";
    public const string NightlyShards = "nightlyshards";
    public const string TierTransitions = "tiertransitions";
    public const string Errors = "errors";
    public const string Campaigns = "campaigns";
    /// <summary>The delivery ledger is one table per user shard (<see cref="DeliveriesOf"/>): each stays small, which bounds
    /// Azurite's per-update cost (it grows with the table's rows) and lets a shard's ledger be read or dropped alone.</summary>
    public const string Deliveries = "deliveries";
    public const string Inbox = "inbox";

    /// <summary>Phone number → users, for inbound SMS (<see cref="Engagement.Users.PhoneIndex"/>).</summary>
    public const string Phones = "phones";

    /// <summary>Users a campaign reached (or held out) who were active again in the window (<see cref="Engagement.Outcomes.Reactivations"/>).</summary>
    public const string Reactivations = "reactivations";

    /// <summary>Dedicated-service flags and their changes (<see cref="Engagement.Users.ServiceFlags"/>).</summary>
    public const string ServiceFlags = "serviceflags";

    /// <summary>A campaign's (playbook run's) outcome per attribution window (<see cref="Engagement.Outcomes.RunOutcomeStore"/>).</summary>
    public const string RunOutcomes = "runoutcomes";

    /// <summary>Coupons in users' wallets (<see cref="Engagement.Wallet.WalletStore"/>).</summary>
    public const string Wallet = "wallet";

    /// <summary>Growth points: one partition per user, its account row and ledger entries (<see cref="Engagement.Points.PointsStore"/>).</summary>
    public const string Points = "points";

    /// <summary>Wake-up plans: plan and step rows, one table per user shard (<see cref="WakeUpPlansOf"/>, <see cref="Engagement.WakeUp.WakeUpPlanStore"/>).</summary>
    public const string WakeUpPlans = "wakeupplans";

    /// <summary>Wake-up due pointers, partitioned by hour, one table per user shard (<see cref="WakeUpDueOf"/>).</summary>
    public const string WakeUpDue = "wakeupdue";

    /// <summary>The nights whose tier transitions have started wake-up plans (one row per night).</summary>
    public const string WakeUpNights = "wakeupnights";

    /// <summary>Referral links, each referrer's invited friends and reward: one partition per user (<see cref="Engagement.Referrals.ReferralStore"/>).</summary>
    public const string Referrals = "referrals";

    /// <summary>The content catalogue: one partition, RowKey the item id (<see cref="Engagement.Content.ContentStore"/>).</summary>
    public const string Content = "content";

    /// <summary>Content opens and clicks, one row per user and item, partitioned by user shard (<see cref="Engagement.Interactions.ContentInteractionStore"/>).</summary>
    public const string ContentInteractions = "contentinteractions";

    /// <summary>Weekly content runs: a header per run and every user's pick, one partition per run and shard (<see cref="Engagement.Content.ContentRunStore"/>).</summary>
    public const string ContentRuns = "contentruns";

    public static readonly IReadOnlyList<string> All = [Users, NightlyRuns, NightlyShards, TierTransitions, Errors, Campaigns, Inbox, Phones, Reactivations, ServiceFlags, RunOutcomes, Wallet, Points, WakeUpNights, Referrals, Content, ContentRuns, ContentInteractions];

    /// <summary>The touch logs (marketing messages each user received lately), one table per user shard: <see cref="TouchesOf"/>.</summary>
    public const string Touches = "touches";

    /// <summary>The touch-log table of one shard, e.g. <c>touchess03</c>: PartitionKey the shard, RowKey the user id.</summary>
    public static string TouchesOf(string shard) => Touches + shard;

    /// <summary>The ledger table of one shard, e.g. <c>deliveriess03</c>.</summary>
    public static string DeliveriesOf(string shard) => Deliveries + shard;

    /// <summary>The wake-up plans of one shard, e.g. <c>wakeupplanss03</c>: small tables keep Azurite's per-write cost (it grows with a table's rows) low.</summary>
    public static string WakeUpPlansOf(string shard) => WakeUpPlans + shard;

    /// <summary>The wake-up due pointers of one shard's users, e.g. <c>wakeupdues03</c>.</summary>
    public static string WakeUpDueOf(string shard) => WakeUpDue + shard;
}

/// <summary>Every queue the engine uses, and the poison queue the Functions host pairs with each.</summary>
public static class QueueNames
{
    public const string ActivityEvents = "activity-events";
    public const string NightlyShards = "nightly-shards";
    public const string CampaignTriggers = "campaign-triggers";
    public const string Deliveries = "deliveries";

    /// <summary>Provider webhooks (status callbacks, inbound SMS) after their signature was checked.</summary>
    public const string ProviderCallbacks = "provider-callbacks";

    public static readonly IReadOnlyList<string> All = [ActivityEvents, NightlyShards, CampaignTriggers, Deliveries, ProviderCallbacks];

    /// <summary>The Functions host moves a message here after maxDequeueCount failures; the engine does the same for bad input.</summary>
    public static string Poison(string queue) => queue + "-poison";
}
