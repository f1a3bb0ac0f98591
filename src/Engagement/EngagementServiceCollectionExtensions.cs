using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Ingest;
using Engagement.Messaging;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Engagement;

/// <summary>The one composition root, shared by the Functions app, the CLI and the tests.</summary>
public static class EngagementServiceCollectionExtensions
{
    /// <summary>
    /// The engine's options, the one list: AddEngagement registers each with data-annotation validation on start, and
    /// both hosts validate exactly these at start (the Functions host's start, LocalEngine through
    /// <see cref="ValidateEngagementOptions"/>).
    /// </summary>
    private static readonly (Type Type, Action<IServiceCollection, IConfiguration> Register)[] Registrations =
    [
        Section<StorageOptions>(StorageOptions.SectionName),
        Section<ActivityOptions>(ActivityOptions.SectionName),
        Section<SegmentationOptions>(SegmentationOptions.SectionName),
        Section<CampaignOptions>(CampaignOptions.SectionName),
        Section<DeliveryOptions>(DeliveryOptions.SectionName),
        Section<SmsOptions>(SmsOptions.SectionName),
        Section<QueueOptions>(QueueOptions.SectionName),
        Section<Delivery.Twilio.TwilioOptions>(Delivery.Twilio.TwilioOptions.SectionName),
        Section<Delivery.Fcm.FcmOptions>(Delivery.Fcm.FcmOptions.SectionName),
        (typeof(Playbooks.PlaybookOptions), (services, configuration) => services.AddOptions<Playbooks.PlaybookOptions>()
            .Bind(configuration.GetSection(Playbooks.PlaybookOptions.SectionName))
            .Configure(o => Playbooks.PlaybookOptions.Bind(o, configuration.GetSection(Playbooks.PlaybookOptions.SectionName))).ValidateOnStart()
            .Services.AddSingleton<IValidateOptions<Playbooks.PlaybookOptions>, Playbooks.PlaybookOptionsValidator>()),
        (typeof(WakeUp.WakeUpOptions), (services, configuration) => services.AddOptions<WakeUp.WakeUpOptions>()
            .Bind(configuration.GetSection(WakeUp.WakeUpOptions.SectionName)).ValidateOnStart()
            .Services.AddSingleton<IValidateOptions<WakeUp.WakeUpOptions>, WakeUp.WakeUpOptionsValidator>()),
        (typeof(Points.PointsOptions), (services, configuration) => services.AddOptions<Points.PointsOptions>()
            .Bind(configuration.GetSection(Points.PointsOptions.SectionName)).PostConfigure(o => o.ApplyDefaults()).ValidateOnStart()
            .Services.AddSingleton<IValidateOptions<Points.PointsOptions>, Points.PointsOptionsValidator>()),
        (typeof(Referrals.ReferralOptions), (services, configuration) => services.AddOptions<Referrals.ReferralOptions>()
            .Bind(configuration.GetSection(Referrals.ReferralOptions.SectionName)).ValidateOnStart()
            .Services.AddSingleton<IValidateOptions<Referrals.ReferralOptions>, Referrals.ReferralOptionsValidator>()),
        (typeof(Content.ContentPickOptions), (services, configuration) => services.AddOptions<Content.ContentPickOptions>()
            .Bind(configuration.GetSection(Content.ContentPickOptions.SectionName)).ValidateOnStart()
            .Services.AddSingleton<IValidateOptions<Content.ContentPickOptions>, Content.ContentPickOptionsValidator>()),
        (typeof(Content.ContentOptions), (services, configuration) => services.AddOptions<Content.ContentOptions>()
            .Bind(configuration.GetSection(Content.ContentOptions.SectionName)).PostConfigure(o => o.ApplyDefaults()).ValidateOnStart()
            .Services.AddSingleton<IValidateOptions<Content.ContentOptions>, Content.ContentOptionsValidator>()),
        (typeof(Content.ContentWeeklyOptions), (services, configuration) => services.AddOptions<Content.ContentWeeklyOptions>()
            .Bind(configuration.GetSection(Content.ContentWeeklyOptions.SectionName)).ValidateOnStart()
            .Services.AddSingleton<IValidateOptions<Content.ContentWeeklyOptions>, Content.ContentWeeklyOptionsValidator>()),
        (typeof(Settings.KeyVaultReferences), (services, configuration) => services.AddOptions<Settings.KeyVaultReferences>()
            .Configure(o => o.Unresolved.AddRange(Settings.KeyVaultReferences.FindUnresolved(configuration))).ValidateDataAnnotations().ValidateOnStart()),
    ];

    /// <summary>The option types of <see cref="Registrations"/>, for tests that hold the hosts to the list.</summary>
    public static IReadOnlyList<Type> OptionTypes { get; } = [.. Registrations.Select(r => r.Type)];

    public static IServiceCollection AddEngagement(this IServiceCollection services, IConfiguration configuration)
    {
        foreach (var (_, register) in Registrations)
        {
            register(services, configuration);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<Telemetry.EngagementTelemetry>();
        services.AddSingleton<StorageRequestCounter>();
        services.AddSingleton<StorageLatency>();
        services.AddSingleton<StorageClients>();
        services.AddSingleton<UserShards>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<PhoneIndex>();
        services.AddSingleton<UserEffects>();
        services.AddSingleton<ServiceFlags>();
        services.AddSingleton<Wallet.WalletStore>();
        services.AddSingleton<WakeUp.WakeUpPlanStore>();
        services.AddSingleton<WakeUp.WakeUpStarter>();
        services.AddSingleton<WakeUp.WakeUpSender>();
        services.AddSingleton<WakeUp.WakeUpTick>();
        services.AddSingleton<WakeUp.WakeUpOutcomes>();
        services.AddSingleton<Points.PointsStore>();
        services.AddSingleton<Content.ContentStore>();
        services.AddSingleton<Content.ContentCatalogueImport>();
        services.AddSingleton<Content.ContentRunStore>();
        services.AddSingleton<Content.ContentWeeklyRun>();
        services.AddSingleton<Content.ContentPreview>();

        services.AddSingleton<ErrorStore>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<QueueMessageProcessor>();
        services.AddSingleton<PoisonQueue>();

        services.AddSingleton<ActivityCalendar>();
        services.AddSingleton<ActivityEventParser>();
        services.AddSingleton<RecentUsersCache>();
        services.AddSingleton<Referrals.ReferralStore>();
        services.AddSingleton<IIngestFollowUp, Referrals.ReferralFollowUp>();
        services.AddSingleton<ActivityIngestHandler>();
        services.AddSingleton<IIngestFollowUp, ActivityPoints>();
        services.AddSingleton<IIngestFollowUp, WakeUp.WakeUpCompletions>();
        services.AddSingleton<ActivityCsvImport>();
        services.AddSingleton<UserCsvImport>();

        services.AddSingleton<TierClassifier>();
        services.AddSingleton<NightlyRunStore>();
        services.AddSingleton<NightlyJob>();
        services.AddSingleton<TierTransitionLog>();

        services.AddSingleton<MessageTemplates>();
        services.AddSingleton<CampaignTriggerParser>();
        services.AddSingleton<CampaignStore>();
        services.AddSingleton<IDeliveryOrders, CampaignOrders>();
        services.AddSingleton<DeliveryLedger>();
        services.AddSingleton<AudienceReader>();
        services.AddSingleton<CampaignPlanner>();
        services.AddSingleton<CampaignResume>();
        services.AddSingleton<CampaignPreview>();
        services.AddSingleton<Outcomes.Reactivations>();
        services.AddSingleton<Outcomes.RunOutcomeStore>();
        services.AddSingleton<Outcomes.RunOutcomes>();
        services.AddSingleton<IChannelSender, InAppSender>();
        services.AddSingleton<Inbox>();
        services.AddSingleton<Interactions.ContentInteractionStore>();
        services.AddSingleton<Interactions.ContentInteractionLookup>();
        services.AddSingleton<IIngestCheck, Interactions.ContentInteractionCheck>();
        services.AddSingleton<IIngestFollowUp, Interactions.ContentInteractionCounter>();
        services.AddSingleton<Interactions.InboxReads>();
        services.AddSingleton<Interactions.ContentOutcomes>();
        if (configuration.GetSection(Delivery.Twilio.TwilioOptions.SectionName).Get<Delivery.Twilio.TwilioOptions>() is { IsConfigured: true })
        {
            services.AddSingleton<Delivery.Twilio.TwilioSmsSender>();
            services.AddSingleton<IChannelSender>(sp => sp.GetRequiredService<Delivery.Twilio.TwilioSmsSender>());
            services.AddSingleton<IDeliveryLookup>(sp => sp.GetRequiredService<Delivery.Twilio.TwilioSmsSender>());
        }
        if (configuration.GetSection(Delivery.Fcm.FcmOptions.SectionName).Get<Delivery.Fcm.FcmOptions>() is { IsConfigured: true })
        {
            services.AddSingleton<IChannelSender, Delivery.Fcm.FcmPushSender>();
        }

        services.AddSingleton<DeliveryComposer>();
        services.AddSingleton<DeliveryWorker>();
        services.AddSingleton<UnknownDeliveries>();
        services.AddSingleton<CampaignTriggerHandler>();
        services.AddSingleton<Callbacks.TwilioWebhooks>();
        services.AddSingleton<Callbacks.ProviderCallbackHandler>();
        services.AddSingleton<QueueHandlers>();
        services.AddSingleton<Playbooks.PlaybookRuns>();
        services.AddSingleton<Playbooks.PlaybookOutcomes>();
        return services;
    }

    /// <summary>
    /// The start-up validation a host runs (the <see cref="IStartupValidator"/> every ValidateOnStart above feeds), for a
    /// process without a host (LocalEngine). Throws the failing option's <see cref="OptionsValidationException"/>, or an
    /// <see cref="AggregateException"/> of them when several fail, as a host's start does.
    /// </summary>
    public static void ValidateEngagementOptions(this IServiceProvider services) =>
        services.GetRequiredService<IStartupValidator>().Validate();

    private static (Type, Action<IServiceCollection, IConfiguration>) Section<T>(string section)
        where T : class =>
        (typeof(T), (services, configuration) => services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart());
}
