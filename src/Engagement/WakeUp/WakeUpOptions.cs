namespace Engagement.WakeUp;

/// <summary>
/// One task of the wake-up catalogue: what the user is asked to do, the activity event that
/// completes it (its type, and its category when the task names one), the points it earns and
/// the message that asks for it.
/// </summary>
public sealed class WakeUpTask
{
    /// <summary>Stable id of the task (a plan records the ids it drew, so a catalogue edit never changes a running plan).</summary>
    public string Kind { get; set; } = "";

    /// <summary>The activity event type that completes it: <c>login</c>, <c>interaction</c> or <c>purchase</c>.</summary>
    public string Completes { get; set; } = "";

    /// <summary>When set, only an event of this category completes the task (case-insensitive).</summary>
    public string? Category { get; set; }

    public int Points { get; set; }

    /// <summary>The step's message (Liquid, as campaign templates; <c>task_points</c>, <c>task_kind</c> and <c>step</c> are set).</summary>
    public string Template { get; set; } = "";

    /// <summary>Off: kept in the catalogue (plans that drew it keep it) but never drawn for a new plan.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// The <c>WakeUp</c> section: the 7-day wake-up plan for potential users (../shared/domain.md).
/// A plan is seven steps on seven local days, one task a day, at <see cref="LocalTime"/> in the
/// user's zone; each done task earns its points.
/// </summary>
public sealed class WakeUpOptions
{
    public const string SectionName = "WakeUp";

    /// <summary>Days in a plan: the playbook's "7-day" task, fixed.</summary>
    public const int Steps = 7;

    public bool Enabled { get; set; } = true;

    /// <summary>Share of starting users recorded as held out (nothing sent), for the first-month active rate against treated users.</summary>
    public int HoldoutPercent { get; set; } = 10;

    /// <summary>A user who had a plan (running or ended) within this many days starts no new one.</summary>
    public int CooldownDays { get; set; } = 60;

    /// <summary>New registrations start a plan too (the KPI is the first month's active rate), not only users entering the tier.</summary>
    public bool StartOnRegistration { get; set; } = true;

    /// <summary>The tier whose entrants start a plan.</summary>
    public string Tier { get; set; } = "potential";

    /// <summary>Local time of day each step is sent in the user's zone; must be outside quiet hours.</summary>
    public TimeOnly LocalTime { get; set; } = new(12, 0);

    /// <summary>Title of a step's push and in-app message (the task's template is the body; it may use <c>task_points</c>, <c>task_kind</c>, <c>step</c>).</summary>
    public string Title { get; set; } = "今日小任务 · Today's small task";

    /// <summary>First-month active: active on at least this many distinct days (ops calendar) within <see cref="FirstMonthDays"/> of the plan's start.</summary>
    public int FirstMonthActiveDays { get; set; } = 4;

    /// <summary>The first month's length in days, from the plan's start (for a registration, the night after it).</summary>
    public int FirstMonthDays { get; set; } = 30;

    /// <summary>Version of the catalogue below; a plan records it with the tasks it drew.</summary>
    public string CatalogueVersion { get; set; } = "2026-12";

    /// <summary>
    /// Configured tasks a plan draws its seven steps from (at least seven enabled ones); empty means
    /// <see cref="DefaultTasks"/>. Not pre-filled: the configuration binder would append to the defaults.
    /// </summary>
    public List<WakeUpTask> Tasks { get; set; } = [];

    /// <summary>The catalogue in force: <see cref="Tasks"/>, or the defaults when none are configured.</summary>
    public IReadOnlyList<WakeUpTask> Catalogue => Tasks.Count > 0 ? Tasks : DefaultTasks();

    /// <summary>A week of small tasks, lightest first: the defaults the ops playbook lists.</summary>
    public static List<WakeUpTask> DefaultTasks() =>
    [
        new() { Kind = "check-in", Completes = "login", Points = 5, Template = "今天来签到，领 {{ task_points }} 积分 / Check in today for {{ task_points }} points" },
        new() { Kind = "like-a-post", Completes = "interaction", Points = 10, Template = "给喜欢的内容点个赞，得 {{ task_points }} 积分 / Like a post for {{ task_points }} points" },
        new() { Kind = "finish-profile", Completes = "interaction", Category = "profile", Points = 20, Template = "完善个人资料，得 {{ task_points }} 积分 / Finish your profile for {{ task_points }} points" },
        new() { Kind = "read-an-article", Completes = "interaction", Category = "content", Points = 10, Template = "读一篇推荐文章，得 {{ task_points }} 积分 / Read an article for {{ task_points }} points" },
        new() { Kind = "save-a-favourite", Completes = "interaction", Category = "favourite", Points = 10, Template = "收藏一件喜欢的商品，得 {{ task_points }} 积分 / Save a favourite for {{ task_points }} points" },
        new() { Kind = "share", Completes = "interaction", Category = "share", Points = 15, Template = "分享给朋友，得 {{ task_points }} 积分 / Share with a friend for {{ task_points }} points" },
        new() { Kind = "first-order", Completes = "purchase", Points = 50, Template = "下第一单，得 {{ task_points }} 积分 / Place an order for {{ task_points }} points" },
    ];
}
