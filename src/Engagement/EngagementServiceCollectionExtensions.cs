using Engagement.Activity;
using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Messaging;
using Engagement.Segmentation;
using Engagement.Storage;
using Engagement.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engagement;

/// <summary>The one composition root, shared by the Functions app, the CLI and the tests.</summary>
public static class EngagementServiceCollectionExtensions
{
    public static IServiceCollection AddEngagement(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ActivityOptions>().Bind(configuration.GetSection(ActivityOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SegmentationOptions>().Bind(configuration.GetSection(SegmentationOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CampaignOptions>().Bind(configuration.GetSection(CampaignOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmsOptions>().Bind(configuration.GetSection(SmsOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QueueOptions>().Bind(configuration.GetSection(QueueOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Settings.KeyVaultReferences>().Configure(o => o.Unresolved.AddRange(Settings.KeyVaultReferences.FindUnresolved(configuration))).ValidateDataAnnotations().ValidateOnStart();

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

        services.AddSingleton<DeadLetters>();
        services.AddSingleton<QueueMessageProcessor>();
        services.AddSingleton<PoisonQueue>();

        services.AddSingleton<ActivityCalendar>();
        services.AddSingleton<ActivityEventParser>();
        services.AddSingleton<RecentUsersCache>();
        services.AddSingleton<ActivityIngestHandler>();
        services.AddSingleton<ActivityCsvImport>();
        services.AddSingleton<UserCsvImport>();

        services.AddSingleton<TierClassifier>();
        services.AddSingleton<NightlyRunStore>();
        services.AddSingleton<NightlyJob>();
        services.AddSingleton<TierTransitionLog>();

        services.AddSingleton<MessageTemplates>();
        services.AddSingleton<CampaignTriggerParser>();
        services.AddSingleton<CampaignStore>();
        services.AddSingleton<DeliveryLedger>();
        services.AddSingleton<CampaignPlanner>();
        services.AddSingleton<CampaignResume>();
        services.AddSingleton<CampaignPreview>();
        services.AddSingleton<Outcomes.Reactivations>();
        services.AddSingleton<IChannelSender, InAppSender>();
        services.AddSingleton<Inbox>();
        services.AddOptions<Delivery.Twilio.TwilioOptions>().Bind(configuration.GetSection(Delivery.Twilio.TwilioOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        if (configuration.GetSection(Delivery.Twilio.TwilioOptions.SectionName).Get<Delivery.Twilio.TwilioOptions>() is { IsConfigured: true })
        {
            services.AddSingleton<Delivery.Twilio.TwilioSmsSender>();
            services.AddSingleton<IChannelSender>(sp => sp.GetRequiredService<Delivery.Twilio.TwilioSmsSender>());
            services.AddSingleton<IDeliveryLookup>(sp => sp.GetRequiredService<Delivery.Twilio.TwilioSmsSender>());
        }
        services.AddOptions<Delivery.Fcm.FcmOptions>().Bind(configuration.GetSection(Delivery.Fcm.FcmOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
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
        return services;
    }
}
