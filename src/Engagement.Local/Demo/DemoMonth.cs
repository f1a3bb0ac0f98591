using Stopwatch = System.Diagnostics.Stopwatch;
using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Ingest;
using Engagement.Outcomes;
using Engagement.Playbooks;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Wallet;
using Microsoft.Extensions.Options;

namespace Engagement.Local.Demo;

/// <summary>What the month demo did, and each playbook run's recorded outcome.</summary>
/// <param name="Seconds">Where the time went: activity ingest, nightly runs, playbook timer steps (deliveries included), outcomes.</param>
/// <param name="Requests">The storage requests (tables and queues) of the same four phases.</param>
public sealed record DemoMonthResult(DateOnly From, DateOnly To, int Nights, long Events, long Redemptions, IReadOnlyList<(string Playbook, RunOutcome Outcome)> Runs, (double Ingest, double Nightly, double Timer, double Outcomes) Seconds, (long Ingest, long Nightly, long Timer, long Outcomes) Requests)
{
    /// <summary>The wake-up plan's cohorts (the weeks plans started in).</summary>
    public IReadOnlyList<WakeUp.WakeUpCohort> WakeUp { get; init; } = [];

    /// <summary>Of the timer phase: the wake-up ticks alone (plans started, steps handed to the pipeline, closes).</summary>
    public (double Seconds, long Requests) WakeUpTicks { get; init; }

    /// <summary>The weekly content runs' outcomes, latest first.</summary>
    public IReadOnlyList<Interactions.ContentRunOutcome> Content { get; init; } = [];

    /// <summary>The simulated referrals as the referrals table has them, and the reward coupons the pipeline issued.</summary>
    public (Referrals.ReferralSummary Summary, long CouponsIssued)? Referrals { get; init; }
}

/// <summary>
/// N days of the engine on the demo clock: each day the population's own activity (plus the simulated
/// answers to messages) is ingested, the nightly run scores the day, and the playbook timer fires three
/// times the next day; runs go through the one pipeline (trigger, plan, coupons, policies, ledger,
/// the loopback providers). Chunks deferred by quiet hours wait on Azurite in real time, so at each
/// timer step the demo drops them and resumes its open runs, as an operator would. At the end every
/// run's outcome is recorded (<see cref="RunOutcomes"/>) over its attribution window. Whether a win-back
/// audience member is active within the window is decided by <see cref="DemoReactions"/> alone (their
/// generated habits are paused for it), so the holdout comes back at the ops team's baseline.
/// </summary>
public sealed class DemoMonth(LocalEngine engine, DemoClock clock, DemoPopulation population, DemoReactions reactions, int seed)
{
    private static readonly int[] TimerHours = [2, 10, 18]; // ops-zone hours the hourly timer is looked at (it would fire at each)

    private readonly Dictionary<int, List<ActivityEvent>> _answers = [];
    private readonly Dictionary<int, List<(string UserId, string RunId)>> _redeems = [];
    private readonly Dictionary<string, ActiveRun> _runs = new(StringComparer.Ordinal);
    private (double Seconds, long Requests) _wakeUp;
    private readonly DemoReferrals _referrals = new(population.Users, population.LastDay.AddDays(1), seed);
    private readonly DemoContent _content = new(engine, clock, population, reactions, seed);

    /// <summary>What the simulated referrals assume (printed with the response model).</summary>
    public string DescribeReferrals() => _referrals.Describe();

    // win-back audience members and the last day of their window: their own generated activity is left out until then
    private readonly Dictionary<string, int> _modelled = new(StringComparer.Ordinal);

    /// <param name="SendsUntil">The run's expiry: nothing is sent after it, so it needs no resume and gives no new exposure.</param>
    private sealed record ActiveRun(string Playbook, string RunId, int WindowDays, bool WinBack, HashSet<string> Seen, DateTimeOffset SendsUntil);

    public async Task<DemoMonthResult> RunAsync(int days, IProgress<(int Day, string Step)>? progress, CancellationToken ct)
    {
        var calendar = engine.Get<ActivityCalendar>();
        var first = population.LastDay.AddDays(1);
        var counter = engine.Get<StorageRequestCounter>();
        long events = 0, redeemed = 0;
        TimeSpan ingest = default, nightly = default, timer = default;
        long ingestRequests = 0, nightlyRequests = 0, timerRequests = 0;
        await _content.PrepareAsync(ct);
        for (var i = 0; i < days; i++)
        {
            var day = first.AddDays(i);
            progress?.Report((i, $"{day:yyyy-MM-dd}: activity"));
            clock.MoveTo(calendar.StartOf(day).AddHours(23).AddMinutes(30));
            var started = Stopwatch.GetTimestamp();
            var requests = counter.Total;
            events += await IngestDayAsync(day, calendar, ct);
            redeemed += await RedeemAsync(day, ct);
            ingest += Stopwatch.GetElapsedTime(started);
            ingestRequests += counter.Total - requests;

            progress?.Report((i, $"{day:yyyy-MM-dd}: nightly"));
            clock.MoveTo(calendar.StartOf(day.AddDays(1)).AddMinutes(30));
            started = Stopwatch.GetTimestamp();
            requests = counter.Total;
            await LocalNightly.RunAsync(engine, day, NightlyStartMode.StartOrResume, null, ct);
            nightly += Stopwatch.GetElapsedTime(started);
            nightlyRequests += counter.Total - requests;
            started = Stopwatch.GetTimestamp();
            requests = counter.Total;

            foreach (var hour in TimerHours)
            {
                progress?.Report((i, $"{day.AddDays(1):yyyy-MM-dd} {hour:D2}:05: playbook timer"));
                clock.MoveTo(calendar.StartOf(day.AddDays(1)).AddHours(hour).AddMinutes(5));
                await TimerAsync(calendar, ct);
            }

            timer += Stopwatch.GetElapsedTime(started);
            timerRequests += counter.Total - requests;
        }

        var measuring = Stopwatch.GetTimestamp();
        var measuringRequests = counter.Total;

        var outcomes = new List<(string, RunOutcome)>();
        foreach (var run in _runs.Values.OrderBy(r => r.RunId, StringComparer.Ordinal))
        {
            outcomes.Add((run.Playbook, await engine.Get<RunOutcomes>().RecordAsync(run.RunId, run.WindowDays, ct)));
        }

        var wakeUp = await engine.Get<WakeUp.WakeUpOutcomes>().CohortsAsync(ct);
        var content = await _content.OutcomesAsync(ct);
        var referrals = await engine.Get<Referrals.ReferralStore>().SummaryAsync(ct);
        long rewardCoupons = 0;
        foreach (var reward in referrals.Rewards)
        {
            rewardCoupons += (await engine.Get<WalletStore>().CountAsync(reward.CampaignId, ct)).Issued;
        }

        return new DemoMonthResult(first, first.AddDays(days - 1), days, events, redeemed, outcomes,
            (ingest.TotalSeconds, nightly.TotalSeconds, timer.TotalSeconds, Stopwatch.GetElapsedTime(measuring).TotalSeconds),
            (ingestRequests, nightlyRequests, timerRequests, counter.Total - measuringRequests)) { WakeUp = wakeUp, Content = content, WakeUpTicks = _wakeUp, Referrals = (referrals, rewardCoupons) };
    }

    /// <summary>The day's events through the same idempotent ingest the queue and the CSV back-fill use, in slices.</summary>
    private async Task<long> IngestDayAsync(DateOnly day, ActivityCalendar calendar, CancellationToken ct)
    {
        var ingest = engine.Get<ActivityIngestHandler>();
        var own = population.EventsOn(day, calendar).Where(e => !(_modelled.TryGetValue(e.UserId, out var until) && day.DayNumber <= until)).Select(e => _content.Own(e, day));
        var all = own.Concat(_answers.Remove(day.DayNumber, out var answers) ? answers : []).Concat(_referrals.EventsOn(day, calendar));
        long count = 0;
        foreach (var slice in all.Chunk(5_000))
        {
            await ingest.IngestAsync(slice, ct);
            count += slice.Length;
        }

        return count;
    }

    private async Task<long> RedeemAsync(DateOnly day, CancellationToken ct)
    {
        if (!_redeems.Remove(day.DayNumber, out var due))
        {
            return 0;
        }

        var wallet = engine.Get<WalletStore>();
        long redeemed = 0;
        foreach (var (userId, runId) in due)
        {
            var coupon = (await wallet.WalletAsync(userId, ct)).FirstOrDefault(c => c.IssueKey == runId && c.State == CouponStates.Issued);
            if (coupon is not null && (await wallet.RedeemAsync(userId, coupon.Code, ct)).Redeemed)
            {
                redeemed++;
            }
        }

        return redeemed;
    }

    /// <summary>The timer's body, then what the host would do next: triggers planned, chunks delivered (deferred ones resumed).</summary>
    private async Task TimerAsync(ActivityCalendar calendar, CancellationToken ct)
    {
        var playbooks = engine.Get<PlaybookRuns>();
        var definitions = playbooks.List().ToDictionary(p => p.Name, p => p.Definition, StringComparer.OrdinalIgnoreCase);
        var dormant = engine.Get<IOptions<DeliveryOptions>>().Value.DormantTier;
        foreach (var start in await playbooks.StartDueAsync(ct))
        {
            if (start.RunId is { } runId && start.Outcome == PlaybookStartOutcomes.Started && definitions.TryGetValue(start.Playbook, out var definition))
            {
                var sendsUntil = clock.GetUtcNow().AddDays(definition.ExpiresAfterDays);
                _runs[runId] = new ActiveRun(start.Playbook, runId, definition.AttributionDays, start.Playbook == PlaybookDefaults.Winback && definition.Tiers.Contains(dormant), new HashSet<string>(StringComparer.Ordinal), sendsUntil);
            }
        }

        await engine.Pump().DrainAsync(QueueNames.CampaignTriggers, null, ct);
        var deliveries = await engine.Get<StorageClients>().QueueAsync(QueueNames.Deliveries, ct);
        await deliveries.ClearMessagesAsync(ct); // chunks waiting out quiet hours in real time: the resume below re-sends what is still open
        var started = Stopwatch.GetTimestamp();
        var requests = engine.Get<StorageRequestCounter>().Total;
        var tick = await engine.Get<WakeUp.WakeUpTick>().RunAsync(ct); // plans from the night, the day's steps handed to the pipeline
        _wakeUp = (_wakeUp.Seconds + Stopwatch.GetElapsedTime(started).TotalSeconds, _wakeUp.Requests + engine.Get<StorageRequestCounter>().Total - requests);
        AnswerTasks(tick.Sends.Handed, calendar);
        await _content.TimerAsync(calendar, Answer, ct); // the weekly content run, as the host's timer runs it after the wake-up tick
        var sending = _runs.Values.Where(r => clock.GetUtcNow() <= r.SendsUntil).ToList();
        foreach (var run in sending)
        {
            await engine.Get<CampaignResume>().ResumeAsync(run.RunId, ct);
        }

        await engine.Pump(TimeSpan.FromMilliseconds(100)).DrainAsync(QueueNames.Deliveries, null, ct, idleWhenOnlyDelayed: TimeSpan.FromSeconds(1));
        await deliveries.ClearMessagesAsync(ct);
        foreach (var run in sending)
        {
            await ScheduleAnswersAsync(run, calendar.DateOf(clock.GetUtcNow()), calendar, ct);
        }

        await _content.AnswerAsync(calendar, Answer, ct);
    }

    private void Answer(int day, ActivityEvent e) => Add(_answers, day, e);

    /// <summary>Users who do their wake-up task do it half an hour after it arrives (its event goes in with that day's activity).</summary>
    private void AnswerTasks(IReadOnlyList<(string UserId, WakeUp.WakeUpStep Step)> handed, ActivityCalendar calendar)
    {
        foreach (var (user, step) in handed)
        {
            var planId = step.Time.LocalDate.AddDays(1 - step.Number).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
            if (!reactions.DoesTask(seed, user, planId, step.Number))
            {
                continue;
            }

            var at = step.SentAt!.Value.AddMinutes(30);
            var task = step.Task;
            var e = new ActivityEvent($"task-{planId}-{step.Number}", user, task.Completes, task.Completes == ActivityType.Purchase ? 3_900 : 0, task.Category ?? (task.Completes == ActivityType.Interaction ? "content" : null), at);
            var day = calendar.DayOf(at);
            (_answers.TryGetValue(day, out var list) ? list : _answers[day] = []).Add(e);
        }
    }

    /// <summary>
    /// Each targeted user is given a fate once: the held-out from the run's first look, the reached from the
    /// day their first message was accepted. Win-back users may come back (and redeem); others may redeem.
    /// </summary>
    private async Task ScheduleAnswersAsync(ActiveRun run, DateOnly today, ActivityCalendar calendar, CancellationToken ct)
    {
        var rows = await engine.Get<DeliveryLedger>().RowsAsync(run.RunId, engine.Get<UserShards>().All, ct);
        foreach (var user in rows.GroupBy(r => r.UserId, StringComparer.Ordinal))
        {
            var heldOut = user.Any(r => r.State == DeliveryStates.HeldOut);
            var reached = user.Any(r => r.State == DeliveryStates.Accepted);
            if ((!heldOut && !reached) || !run.Seen.Add(user.Key))
            {
                continue;
            }

            if (!run.WinBack)
            {
                if (reached && DemoReactions.Redeems(seed, user.Key, run.RunId, reactions.HighValueRedeemShare))
                {
                    Add(_redeems, today.AddDays(1 + (DemoReactions.StableHash(user.Key) & 7)).DayNumber, (user.Key, run.RunId));
                }

                continue;
            }

            // whether a win-back audience member is active in the window is the response model's to say (reached or
            // held out alike), so the untreated rate is the ops baseline rather than the synthetic habits' accident
            _modelled[user.Key] = Math.Max(_modelled.GetValueOrDefault(user.Key), today.DayNumber + run.WindowDays);
            if (reactions.ReturnDay(seed, user.Key, run.RunId, reached) is not { } offset)
            {
                continue;
            }

            var back = today.AddDays(offset);
            var at = calendar.StartOf(back).AddHours(12);
            var id = $"demo-{run.RunId}-{user.Key}";
            Add(_answers, back.DayNumber, new ActivityEvent(id + "-l", user.Key, ActivityType.Login, 0, null, at));
            Add(_answers, back.DayNumber, new ActivityEvent(id + "-i", user.Key, ActivityType.Interaction, 0, null, at.AddMinutes(2)));
            if (reached && DemoReactions.Redeems(seed, user.Key, run.RunId, reactions.RedeemShare))
            {
                Add(_redeems, back.DayNumber, (user.Key, run.RunId));
            }
        }
    }

    private static void Add<T>(Dictionary<int, List<T>> byDay, int day, T item)
    {
        if (!byDay.TryGetValue(day, out var list))
        {
            byDay[day] = list = [];
        }

        list.Add(item);
    }
}
