using Engagement.Cli;
using Engagement.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

// Ctrl-C / SIGTERM cancel the token every command runs with; 8 s later the process ends regardless
using var shutdown = new CliShutdown(TimeSpan.FromSeconds(8));
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 1000; // a log or a pipe: one line per line, not wrapped at 80 columns
}

var app = new CommandApp();
app.Configure(c =>
{
    c.SetApplicationName("engage");
    c.CancellationExitCode(CliShutdown.ExitCode);
    c.AddCommand<DemoCommand>("demo")
        .WithDescription("Start Azurite, generate users with 120 days of activity, run two nightly RFM runs (with a day of events ingested through the queue between them), print tiers and movements.");
    c.AddBranch("import", b =>
    {
        b.SetDescription("Back-fill users or activity from CSV.");
        b.AddCommand<ImportUsersCommand>("users").WithDescription("user_id,phone,push_token,time_zone,consent_sms,consent_push,consent_inapp,interests,registered_on");
        b.AddCommand<ImportActivityCommand>("activity").WithDescription("event_id,user_id,type,amount,category,occurred_at (same validation and de-duplication as the queue)");
    });
    c.AddCommand<NightlyCommand>("nightly").WithDescription("Run the nightly RFM job now, on this machine, against the configured storage.");
    c.AddCommand<TiersCommand>("tiers").WithDescription("Tier counts and shares from the latest run; --export writes one row per user.");
    c.AddCommand<ScoreCommand>("score").WithDescription("Score a CSV file (user_id,recency_days,frequency,monetary) into user_id,r_score,f_score,m_score,tier. No storage.");
    c.AddBranch("campaign", b =>
    {
        b.SetDescription("Marketing campaigns (trigger contract: docs/contracts.md).");
        b.AddCommand<CampaignValidateCommand>("validate").WithDescription("Check a trigger file the way the queue handler will; nothing is enqueued.");
        b.AddCommand<CampaignSendCommand>("send").WithDescription("Validate a trigger file and enqueue it on campaign-triggers.");
        b.AddCommand<CampaignPreviewCommand>("preview").WithDescription("What a trigger would send now, and per recipient why not: no send, no ledger change.");
        b.AddCommand<CampaignResumeCommand>("resume").WithDescription("Send to the rest of a campaign cut short (outage, pause, killed worker); never again to those already sent.");
        b.AddCommand<CampaignStatusCommand>("status").WithDescription("A campaign's state and its deliveries by channel, state and reason.");
        b.AddCommand<CampaignPauseCommand>("pause").WithDescription("Stop a campaign's sends at the next chunk; its chunks wait on the queue (nothing lost, nothing sent twice).");
        b.AddCommand<CampaignUnpauseCommand>("unpause").WithDescription("Let a paused campaign's chunks go out again.");
        b.AddCommand<CampaignOutcomeCommand>("outcome").WithDescription("Wake-up rate: reached users active again within --window days, against the holdout; records them in the reactivations table.");
    });
    c.AddBranch("playbook", b =>
    {
        b.SetDescription("Playbooks: tier treatments that run themselves (Playbooks__NAME settings), each run a campaign.");
        b.AddCommand<PlaybookListCommand>("list").WithDescription("Playbooks with audience, schedule, period and next run.");
        b.AddCommand<PlaybookPreviewCommand>("preview").WithDescription("What a run would send, skip or defer and why, and its SMS bill: nothing sent or recorded.");
        b.AddCommand<PlaybookRunCommand>("run").WithDescription("Start a run by hand (default: the current period); a run that exists already is not started again.");
        b.AddCommand<PlaybookStatusCommand>("status").WithDescription("Recent runs: state and deliveries by channel and state.");
    });
    c.AddBranch("content", b =>
    {
        b.SetDescription("The content catalogue: the items the weekly content pick chooses from.");
        b.AddCommand<ContentImportCommand>("import").WithDescription("Import a catalogue file (CSV or JSON) whole or not at all: exit 0 imported, 1 bad rows listed (nothing written), 2 file refused.");
        b.AddCommand<ContentListCommand>("list").WithDescription("The catalogue: id, title, categories, language, window, priority; --active: only items active now.");
        b.AddCommand<ContentPreviewCommand>("preview").WithDescription("The item the weekly run would pick for a user now, the basis and the reason (interest and weight, repeats excluded), and this week's recorded pick: nothing written.");
    });
    c.AddCommand<ServiceListCommand>("service-list").WithDescription("Users with the dedicated-service flag (set on entering the best tier, cleared on leaving); --since DATE for the new ones.");
    c.AddCommand<InboxCommand>("inbox").WithDescription("A user's in-app messages (the inbox table), newest first; --read marks a campaign's message read.");
    c.AddCommand<PlanCommand>("plan").WithDescription("A user's wake-up plans: each step's local day, send time, task, points and state.");
    c.AddCommand<ReferralsCommand>("referrals").WithDescription("A user's referrals: who invited them, the friends they invited (active or not yet) and their reward.");
    c.AddCommand<WalletCommand>("wallet").WithDescription("A user's coupons (the wallet table), newest first, validity in the ops zone.");
    c.AddBranch("points", b =>
    {
        b.SetDescription("A user's growth points (balance, level, batches, entries); redeem spends them on a catalogue coupon.");
        b.AddCommand<PointsCommand>("show").WithDescription("A user's balance, level, lifetime, batches with their expiry and latest entries (`engage points USER_ID` for short).");
        b.AddCommand<PointsRedeemCommand>("redeem").WithDescription("Spend points on a catalogue item's coupon into the wallet: exit 0 redeemed, 1 refused; --request-id makes a retry redeem nothing twice.");
    });
    c.AddBranch("coupon", b => b.AddCommand<CouponRedeemCommand>("redeem").WithDescription("Redeem a coupon for --user: exit 0 redeemed, 1 refused (mistyped, not in the wallet, already redeemed, expired, not yet valid)."));
    c.AddCommand<DrainCommand>("drain").WithDescription("Process the engine's queues on this machine until they are empty.");
    c.AddCommand<ServeCommand>("serve").WithDescription("The Functions app's webhooks (/api/twilio/status, /api/twilio/inbound) on a local web server, with every engine queue worked; --public-url for a tunnel.");
    c.AddBranch("poison", b =>
    {
        b.SetDescription("Poison queues (<queue>-poison): what was dead-lettered, and replay once the cause is fixed.");
        b.AddCommand<PoisonListCommand>("list").WithDescription("Peek at a poison queue (at most 32 messages, with the errors-table reason when known); nothing changes.");
        b.AddCommand<PoisonReplayCommand>("replay").WithDescription("Move a poison queue's messages back to their queue, bodies unchanged; --dry-run only lists, --max N limits.");
    });
    c.AddBranch("bench", b =>
    {
        b.SetDescription("Benchmarks; figures go to docs/benchmarks.md.");
        b.AddCommand<BenchScoreCommand>("score").WithDescription("Score N users in memory (and side by side with pandas when python3-pandas is installed).");
        b.AddCommand<BenchNightlyCommand>("nightly").WithDescription("Nightly run on Azurite: wall time and storage round-trips per 1,000 users.");
        b.AddCommand<BenchIngestCommand>("ingest").WithDescription("Activity events per second through the queue into Azurite.");
        b.AddCommand<BenchCampaignCommand>("campaign").WithDescription("An SMS campaign through the loopback Twilio fake: sends/s, queue and storage operations per recipient, achieved pacing.");
        b.AddCommand<BenchPlaybookCommand>("playbook").WithDescription("The win-back playbook's run (plan, coupons, in-app + SMS to the loopback fake) beside a plain campaign to the same 15% dormant: sends/s and table round-trips per recipient.");
        b.AddCommand<BenchWakeUpCommand>("wakeup").WithDescription("Wake-up plans for the night's new potential users (default 30,000 of 100k): starting them, then the first day's step (push, in-app fallback) beside a plain campaign to the same users: sends/s and table round-trips per user.");
        b.AddCommand<BenchContentCommand>("content").WithDescription("The weekly content run on Azurite (default 100k users, 40% regular, 1,000 items) beside a plain campaign to the same tier: seconds, sends/s, table round-trips per 1,000 regular users.");
        b.AddCommand<BenchPickCommand>("pick").WithDescription("The weekly content pick's selection alone: N regular users (default 400,000) against M active items (default 1,000), synthetic and seeded; CPU seconds against the 5 s target (exit 1 over it).");
    });
});
return await app.RunAsync(PointsShorthand(args), shutdown.Token);

// `engage points USER_ID` means `engage points show USER_ID`: a branch's default command cannot take an argument beside
// its subcommands (Spectre reads the user id as an unknown command)
static string[] PointsShorthand(string[] args) =>
    args is ["points", var next, ..] && next is not ("show" or "redeem") && !next.StartsWith('-') ? ["points", "show", .. args[1..]] : args;
