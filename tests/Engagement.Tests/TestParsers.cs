using Engagement.Campaigns;
using Engagement.Delivery;
using Engagement.Segmentation;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Tests;

/// <summary>The campaign trigger parser with default settings and a stopped clock, as unit tests need it.</summary>
internal static class TestParsers
{
    public static CampaignTriggerParser Default(DateTimeOffset now) => new(
        new TierClassifier(new SegmentationOptions()),
        new MessageTemplates(),
        Options.Create(new SmsOptions()),
        Options.Create(new CampaignOptions()),
        new FakeTimeProvider(now));
}
