using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Engagement.Activity;
using Engagement.Storage;

namespace Engagement.WakeUp;

/// <summary>States of a plan.</summary>
public static class WakeUpPlanStates
{
    public const string Running = "running";
    public const string HeldOut = "heldout";
    public const string Ended = "ended";

    /// <summary>All seven steps closed (sent and then completed or missed, or skipped).</summary>
    public const string Completed = "completed";
}

/// <summary>A stored plan: who, since when, which tasks (as drawn at the start), and where it stands.</summary>
public sealed record WakeUpPlanRow(string UserId, string PlanId, string State, WakeUpStartCause Cause, string CatalogueVersion, string Zone, DateOnly FirstDay, DateTimeOffset StartedAt, string? EndReason, ETag ETag);

/// <summary>A stored step, with the ETag its next move is conditional on.</summary>
/// <param name="Batch">The campaign id the step was claimed into (set with <c>sending</c>): a crash after the claim finds its batch again.</param>
/// <param name="ClaimedAt">When it was claimed: a batch claimed by another instance is left alone for a while (it may still be handing off).</param>
/// <param name="CompletedBy">The event id that completed it.</param>
public sealed record WakeUpStepRow(string UserId, string PlanId, WakeUpStep Step, ETag ETag, string? Batch = null, DateTimeOffset? ClaimedAt = null, string? CompletedBy = null);

/// <summary>What a due pointer is there for.</summary>
public static class WakeUpDueKinds
{
    /// <summary>At the step's send hour: send it (claim, hand off) once its instant has come.</summary>
    public const string Send = "send";

    /// <summary>At the step's close hour, written once it was sent: move it <c>sent -> missed</c> once its local day has closed.</summary>
    public const string Close = "close";
}

/// <summary>
/// A due pointer: a step of a plan to look at in <paramref name="Hour"/> (UTC), to send it or to close it. It carries what the
/// sender decides by (<see cref="Kind"/>, the step's <see cref="Time"/> and <see cref="Task"/>), so a step is read only
/// when its pointer says there is something to do; a pointer written before pointers carried their step has no
/// <see cref="Kind"/> (its step is read).
/// </summary>
public sealed record WakeUpDue(DateTimeOffset Hour, string UserId, string PlanId, int Step)
{
    /// <summary><see cref="WakeUpDueKinds"/>, or null for a pointer without its step's data.</summary>
    public string? Kind { get; init; }

    public WakeUpStepTime? Time { get; init; }

    public WakeUpStepTask? Task { get; init; }

    /// <summary>The pointer row's ETag as read.</summary>
    public ETag ETag { get; init; }

    /// <summary>The pack row holding this pointer, or null for a row of its own (the form before packs).</summary>
    public WakeUpDuePack? Pack { get; init; }
}

/// <summary>
/// A row of many due pointers of one hour and kind, as a pass read it: <see cref="Items"/> is what the row still holds as far
/// as this pass knows (a drop takes its pointers out and rewrites the row, or deletes it when none is left).
/// </summary>
public sealed class WakeUpDuePack(string partition, string rowKey, string kind)
{
    public string Partition { get; } = partition;

    public string RowKey { get; } = rowKey;

    public string Kind { get; } = kind;

    public List<WakeUpDue> Items { get; } = [];
}

/// <summary>
/// The wake-up tables of each user shard (docs/decisions.md, "Wake-up steps wait in a due-steps table"): plan and step rows in
/// <c>wakeupplans{shard}</c> (partition <c>p|{shard}</c>), due pointers in <c>wakeupdue{shard}</c> (partition <c>due|{yyyyMMddHH}</c>);
/// the nights read in <c>wakeupnights</c>. The only code that knows
/// its columns; steps move only as <see cref="WakeUpStepTransitions"/> allows, each move conditional on the ETag.
/// </summary>
public sealed partial class WakeUpPlanStore(StorageClients storage, UserShards shards, TimeProvider time)
{
    private const string State = "State", Cause = "Cause", Version = "CatalogueVersion", Zone = "Zone", FirstDay = "FirstDay", StartedAt = "StartedAt",
        Reason = "Reason", Task = "Task", SendAt = "SendAt", ClosesAt = "ClosesAt", LocalDate = "LocalDate", SentAt = "SentAt",
        Batch = "Batch", ClaimedAt = "ClaimedAt", CompletedBy = "CompletedBy", EndedAt = "EndedAt";

    /// <summary>
    /// Records a plan and its steps once per (user, plan id): false when it was there already (a replayed start).
    /// Pointers first (upserts, harmless alone), then the plan and its steps in one transaction of the user's partition.
    /// A held-out plan has no steps.
    /// </summary>
    public async Task<bool> StartAsync(WakeUpPlanRow plan, IReadOnlyList<WakeUpStep> steps, CancellationToken ct) =>
        (await StartManyAsync([(plan, steps)], ct)).Count == 1;

    /// <summary>
    /// <see cref="StartAsync"/> for many plans: every pointer first (upserts grouped by due hour, 100 a request), then the
    /// plans' rows (whole plans of one partition packed into transactions of up to 100 rows). The (user, plan id) pairs
    /// started now; a plan there already is left out.
    /// </summary>
    public async Task<IReadOnlySet<(string UserId, string PlanId)>> StartManyAsync(IReadOnlyList<(WakeUpPlanRow Plan, IReadOnlyList<WakeUpStep> Steps)> starts, CancellationToken ct)
    {
        foreach (var (plan, _) in starts)
        {
            CheckKey(plan.UserId);
        }

        await WritePacksAsync(PackEntities(starts.Where(s => s.Plan.State != WakeUpPlanStates.HeldOut)
            .SelectMany(s => s.Steps.Select(step => (s.Plan.UserId, s.Plan.PlanId, step))), WakeUpDueKinds.Send), ct);

        // plans of one partition share transactions (up to 100 rows); a pack with a plan there already (409, a replayed
        // night) is done plan by plan, so exactly the new plans start
        var packs = starts.DistinctBy(s => (s.Plan.UserId, s.Plan.PlanId)).GroupBy(s => PlanPartition(s.Plan.UserId)).SelectMany(g => Pack(g.Select(s => PlanActions(g.Key, s.Plan, s.Steps))));
        var started = new System.Collections.Concurrent.ConcurrentBag<(string, string)>();
        await Parallel.ForEachAsync(packs, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (pack, token) =>
        {
            var table = await PlansTableAsync(pack[0].Plan.UserId, token);
            try
            {
                await table.SubmitTransactionAsync(pack.SelectMany(p => p.Actions), token);
                foreach (var p in pack)
                {
                    started.Add((p.Plan.UserId, p.Plan.PlanId));
                }
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && pack.Count > 1)
            {
                foreach (var p in pack)
                {
                    try
                    {
                        await table.SubmitTransactionAsync(p.Actions, token);
                        started.Add((p.Plan.UserId, p.Plan.PlanId));
                    }
                    catch (TableTransactionFailedException one) when (one.Status == 409)
                    {
                    }
                }
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                // started already (a replayed night)
            }
        });

        return started.ToHashSet();
    }

    /// <summary>A plan's row and its steps' rows (none when held out), added: a 409 means it started already.</summary>
    private static (WakeUpPlanRow Plan, List<TableTransactionAction> Actions) PlanActions(string partition, WakeUpPlanRow plan, IReadOnlyList<WakeUpStep> steps) =>
        (plan, [new(TableTransactionActionType.Add, PlanEntity(partition, plan)),
            .. (plan.State == WakeUpPlanStates.HeldOut ? [] : steps).Select(s => new TableTransactionAction(TableTransactionActionType.Add, StepEntity(partition, plan, s)))]);

    /// <summary>Whole plans into transactions of at most 100 rows.</summary>
    private static IEnumerable<List<(WakeUpPlanRow Plan, List<TableTransactionAction> Actions)>> Pack(IEnumerable<(WakeUpPlanRow Plan, List<TableTransactionAction> Actions)> plans)
    {
        var pack = new List<(WakeUpPlanRow Plan, List<TableTransactionAction> Actions)>();
        var rows = 0;
        foreach (var p in plans)
        {
            if (rows + p.Actions.Count > 100)
            {
                yield return pack;
                (pack, rows) = ([], 0);
            }

            pack.Add(p);
            rows += p.Actions.Count;
        }

        if (pack.Count > 0)
        {
            yield return pack;
        }
    }

    /// <summary>The user's plans, oldest first, each with its steps.</summary>
    public async Task<IReadOnlyList<(WakeUpPlanRow Plan, IReadOnlyList<WakeUpStepRow> Steps)>> PlansAsync(string userId, CancellationToken ct)
    {
        CheckKey(userId);
        var table = await PlansTableAsync(userId, ct);
        var prefix = userId + "|";
        var plans = new List<WakeUpPlanRow>();
        var steps = new List<WakeUpStepRow>();
        await foreach (var e in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {PlanPartition(userId)} and RowKey ge {prefix} and RowKey lt {userId + "}"}"), cancellationToken: ct))
        {
            var parts = e.RowKey.Split('|');
            if (parts.Length == 2)
            {
                plans.Add(ReadPlan(e, parts[0], parts[1]));
            }
            else if (parts.Length == 3)
            {
                steps.Add(ReadStep(e, parts[0], parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture)));
            }
        }

        return [.. plans.Select(p => (p, (IReadOnlyList<WakeUpStepRow>)[.. steps.Where(s => s.PlanId == p.PlanId).OrderBy(s => s.Step.Number)]))];
    }

    /// <summary>Every plan with its steps, shard by shard (outcome reports).</summary>
    public async IAsyncEnumerable<(WakeUpPlanRow Plan, IReadOnlyList<WakeUpStepRow> Steps)> AllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var shard in shards.All)
        {
            var table = await storage.TableAsync(TableNames.WakeUpPlansOf(shard), ct);
            WakeUpPlanRow? plan = null;
            var steps = new List<WakeUpStepRow>();
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"p|" + shard}"), maxPerPage: 1000, cancellationToken: ct))
            {
                var parts = e.RowKey.Split('|');
                if (parts.Length == 2)
                {
                    if (plan is not null)
                    {
                        yield return (plan, steps);
                    }

                    (plan, steps) = (ReadPlan(e, parts[0], parts[1]), []);
                }
                else if (parts.Length == 3 && plan is not null && plan.UserId == parts[0] && plan.PlanId == parts[1])
                {
                    steps.Add(ReadStep(e, parts[0], parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture)));
                }
            }

            if (plan is not null)
            {
                yield return (plan, steps);
            }
        }
    }

    /// <summary>One step as stored, or null when it is not there (a pointer whose plan never got written).</summary>
    public async Task<WakeUpStepRow?> StepAsync(string userId, string planId, int step, CancellationToken ct)
    {
        CheckKey(userId);
        var table = await PlansTableAsync(userId, ct);
        var read = await table.GetEntityIfExistsAsync<TableEntity>(PlanPartition(userId), StepKey(userId, planId, step), cancellationToken: ct);
        return read.HasValue && read.Value is { } e ? ReadStep(e, userId, planId, step) : null;
    }

    /// <summary>
    /// Moves a step as <see cref="WakeUpStepTransitions"/> allows, conditional on the ETag it was read with: false when someone
    /// else moved it first (the claim that lost). <paramref name="sentAt"/> is recorded on <c>sent</c>.
    /// </summary>
    /// <param name="completedBy">With <c>completed</c>: the event id.</param>
    public async Task<bool> TryMoveAsync(WakeUpStepRow row, string to, DateTimeOffset? sentAt, string? reason, CancellationToken ct, string? completedBy = null)
    {
        if (!WakeUpStepTransitions.IsAllowed(row.Step.State, to))
        {
            throw new InvalidOperationException($"a wake-up step does not move from '{row.Step.State}' to '{to}'");
        }

        var table = await PlansTableAsync(row.UserId, ct);
        var update = new TableEntity(PlanPartition(row.UserId), StepKey(row.UserId, row.PlanId, row.Step.Number)) { [State] = to };
        if (sentAt is { } at)
        {
            update[SentAt] = at;
        }

        if (completedBy is not null)
        {
            update[CompletedBy] = completedBy;
        }

        if (reason is not null)
        {
            update[Reason] = reason;
        }

        try
        {
            await table.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Merge, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Claims a due step into <paramref name="batch"/> (<c>due -> sending</c>, conditional on its ETag): the claimed row with its new ETag, or null when another claim won.</summary>
    public async Task<WakeUpStepRow?> TryClaimAsync(WakeUpStepRow row, string batch, DateTimeOffset at, CancellationToken ct)
    {
        if (!WakeUpStepTransitions.IsAllowed(row.Step.State, WakeUpStepStates.Sending))
        {
            throw new InvalidOperationException($"a wake-up step does not move from '{row.Step.State}' to '{WakeUpStepStates.Sending}'");
        }

        var table = await PlansTableAsync(row.UserId, ct);
        var update = new TableEntity(PlanPartition(row.UserId), StepKey(row.UserId, row.PlanId, row.Step.Number))
        {
            [State] = WakeUpStepStates.Sending,
            [Batch] = batch,
            [ClaimedAt] = at,
        };
        try
        {
            var response = await table.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Merge, ct);
            return row with { Step = row.Step with { State = WakeUpStepStates.Sending }, ETag = response.Headers.ETag ?? ETag.All, Batch = batch, ClaimedAt = at };
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    /// <summary>Ends a running plan early: its plan row says why, and every step still due is cancelled at once.</summary>
    public async Task EndAsync(string userId, string planId, string reason, CancellationToken ct)
    {
        var (plan, steps) = (await PlansAsync(userId, ct)).SingleOrDefault(p => p.Plan.PlanId == planId);
        if (plan is null || plan.State != WakeUpPlanStates.Running)
        {
            return;
        }

        // one transaction, each row If-Match its ETag: a step claimed meanwhile goes its own way (sent). The cancelled steps'
        // pointers stay in their packs until the pass of their hour, which finds the step cancelled and drops them
        await TryMoveManyAsync([.. steps.Where(s => s.Step.State == WakeUpStepStates.Due)], WakeUpStepStates.Cancelled, null, reason, ct);
        await SetPlanStateAsync(userId, planId, WakeUpPlanStates.Ended, reason, ct);
    }

    /// <summary>Records a plan's end state (<c>ended</c> with a reason, or <c>completed</c>) and when.</summary>
    /// <param name="ifMatch">The plan row's ETag as read: false when the plan moved meanwhile (another instance, an early end).</param>
    public async Task<bool> SetPlanStateAsync(string userId, string planId, string state, string? reason, CancellationToken ct, ETag? ifMatch = null)
    {
        var table = await PlansTableAsync(userId, ct);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(PlanPartition(userId), userId + "|" + planId) { [State] = state, [Reason] = reason, [EndedAt] = time.GetUtcNow() }, ifMatch ?? ETag.All, TableUpdateMode.Merge, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412 && ifMatch is not null)
        {
            return false;
        }
    }

    private string PlanPartition(string userId) => "p|" + shards.Of(userId);

    /// <summary>The table of the user's plans (<see cref="TableNames.WakeUpPlansOf"/>).</summary>
    private Task<TableClient> PlansTableAsync(string userId, CancellationToken ct) => storage.TableAsync(TableNames.WakeUpPlansOf(shards.Of(userId)), ct);

    /// <summary>The table of the user's due pointers (<see cref="TableNames.WakeUpDueOf"/>).</summary>
    private Task<TableClient> DueTableAsync(string userId, CancellationToken ct) => storage.TableAsync(TableNames.WakeUpDueOf(shards.Of(userId)), ct);

    /// <summary>A step's RowKey, in its plan's partition and as its due pointer.</summary>
    private static string StepKey(string userId, string planId, int step) => $"{userId}|{planId}|{step}";

    private static TableEntity PlanEntity(string partition, WakeUpPlanRow plan) => new(partition, plan.UserId + "|" + plan.PlanId)
    {
        [State] = plan.State,
        [Cause] = plan.Cause.ToString(),
        [Version] = plan.CatalogueVersion,
        [Zone] = plan.Zone,
        [FirstDay] = plan.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        [StartedAt] = plan.StartedAt,
        [Reason] = plan.EndReason,
    };

    private static TableEntity StepEntity(string partition, WakeUpPlanRow plan, WakeUpStep step) => new(partition, StepKey(plan.UserId, plan.PlanId, step.Number))
    {
        [State] = step.State,
        [Task] = JsonSerializer.Serialize(step.Task),
        [LocalDate] = step.Time.LocalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        [SendAt] = step.Time.SendAt,
        [ClosesAt] = step.Time.ClosesAt,
    };

    private static WakeUpPlanRow ReadPlan(TableEntity e, string userId, string planId) => new(
        userId, planId, e.GetString(State), Enum.Parse<WakeUpStartCause>(e.GetString(Cause)), e.GetString(Version), e.GetString(Zone),
        DateOnly.ParseExact(e.GetString(FirstDay), "yyyy-MM-dd", CultureInfo.InvariantCulture), e.GetDateTimeOffset(StartedAt)!.Value, e.GetString(Reason), e.ETag);

    private static WakeUpStepRow ReadStep(TableEntity e, string userId, string planId, int number)
    {
        var time = new WakeUpStepTime(number, DateOnly.ParseExact(e.GetString(LocalDate), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            e.GetDateTimeOffset(SendAt)!.Value, e.GetDateTimeOffset(ClosesAt)!.Value);
        var task = JsonSerializer.Deserialize<WakeUpStepTask>(e.GetString(Task))!;
        return new WakeUpStepRow(userId, planId, new WakeUpStep(number, task, time, e.GetString(State), e.GetDateTimeOffset(SentAt), e.GetString(Reason)), e.ETag,
            e.GetString(Batch), e.GetDateTimeOffset(ClaimedAt), e.GetString(CompletedBy));
    }

    /// <summary>Keys hold user ids: a valid table key (<see cref="TableKeys"/>), without the '|' that separates the parts here.</summary>
    private static void CheckKey(string userId)
    {
        if (!TableKeys.IsValid(userId, out _) || userId.Contains('|', StringComparison.Ordinal))
        {
            throw new ArgumentException($"user id '{userId}' cannot be a key here (/ \\ # ? | or control characters)", nameof(userId));
        }
    }
}
