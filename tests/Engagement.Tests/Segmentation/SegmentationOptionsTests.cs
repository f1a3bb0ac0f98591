using System.ComponentModel.DataAnnotations;
using Engagement.Segmentation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Tests.Segmentation;

public class SegmentationOptionsTests
{
    /// <summary>Attribute validation plus the object's own rules, as ValidateDataAnnotations does.</summary>
    private static List<string> Errors(SegmentationOptions options)
    {
        var results = new List<ValidationResult>();
        var context = new ValidationContext(options);
        Validator.TryValidateObject(options, context, results, validateAllProperties: true);
        results.AddRange(((IValidatableObject)options).Validate(context));
        return results.Select(r => r.ErrorMessage ?? "").Distinct().ToList();
    }

    [Fact]
    public void Validate_Defaults_HasNoErrors()
    {
        Assert.Empty(Errors(new SegmentationOptions()));
    }

    [Fact]
    public void Validate_ExplicitValidRules_HasNoErrors()
    {
        var options = new SegmentationOptions
        {
            Tiers = [new() { Tier = "vip", MinR = 4, MinM = 5 }, new() { Tier = "rest" }],
            NoHistory = new NoHistoryRule { RecentTier = "rest", OtherwiseTier = "rest" },
        };

        Assert.Empty(Errors(options));
    }

    [Fact]
    public void Validate_LastRuleNotCatchAll_IsAnError()
    {
        var options = new SegmentationOptions
        {
            Tiers = [new() { Tier = "potential", MinTotal = 10 }, new() { Tier = "dormant", MinF = 2 }],
        };

        var error = Assert.Single(Errors(options));
        Assert.Contains("('dormant') must take every user", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateTierNames_IsAnError()
    {
        var options = new SegmentationOptions
        {
            Tiers = [new() { Tier = "potential", MinTotal = 12 }, new() { Tier = "potential", MinTotal = 9 }, new() { Tier = "dormant" }],
        };

        var error = Assert.Single(Errors(options));
        Assert.Contains("Tier 'potential' appears twice", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vip", "dormant", "vip")]
    [InlineData("potential", "lost", "lost")]
    public void Validate_NoHistoryNamingUnknownTier_IsAnError(string recent, string otherwise, string unknown)
    {
        var options = new SegmentationOptions
        {
            Tiers = [new() { Tier = "potential", MinTotal = 9 }, new() { Tier = "dormant" }],
            NoHistory = new NoHistoryRule { RecentTier = recent, OtherwiseTier = otherwise },
        };

        var error = Assert.Single(Errors(options));
        Assert.Contains($"names tier '{unknown}', which no rule defines", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RuleWithoutName_IsAnError()
    {
        var options = new SegmentationOptions { Tiers = [new() { Tier = " ", MinTotal = 10 }, new() { Tier = "potential" }, new() { Tier = "dormant" }] };

        Assert.Contains(Errors(options), e => e.Contains("needs a Tier name", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 1, 1, 0)]
    [InlineData(1, 6, 1, 0)]
    [InlineData(1, 1, 1, 16)]
    [InlineData(1, 1, 1, -1)]
    public void Validate_MinimumOutOfRange_IsAnError(int minR, int minF, int minM, int minTotal)
    {
        var options = new SegmentationOptions
        {
            Tiers = [new() { Tier = "potential", MinR = minR, MinF = minF, MinM = minM, MinTotal = minTotal }, new() { Tier = "dormant" }],
        };

        Assert.Contains(Errors(options), e => e.Contains("MinR/MinF/MinM must be 1-5 and MinTotal 0-15", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(401)]
    public void Validate_WindowOutsideRetention_IsAnError(int days)
    {
        Assert.Contains(Errors(new SegmentationOptions { FrequencyWindowDays = days }), e => e.Contains(nameof(SegmentationOptions.FrequencyWindowDays), StringComparison.Ordinal));
        Assert.Contains(Errors(new SegmentationOptions { MonetaryWindowDays = days }), e => e.Contains(nameof(SegmentationOptions.MonetaryWindowDays), StringComparison.Ordinal));
    }

    [Fact]
    public void Rules_TiersEmpty_FallsBackToDefaults()
    {
        Assert.Same(SegmentationOptions.DefaultTiers, new SegmentationOptions().Rules);
    }

    [Fact]
    public void ValidateDataAnnotations_InvalidRules_FailsOnFirstUse()
    {
        using var services = new ServiceCollection()
            .AddOptions<SegmentationOptions>()
            .Configure(o => o.Tiers = [new() { Tier = "a", MinTotal = 10 }, new() { Tier = "b", MinR = 2 }])
            .ValidateDataAnnotations()
            .Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SegmentationOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("must take every user", StringComparison.Ordinal));
    }

    [Fact]
    public void ValidateDataAnnotations_NegativeNoHistoryRecentDays_FailsOnFirstUse()
    {
        using var services = new ServiceCollection()
            .AddOptions<SegmentationOptions>()
            .Configure(o => o.NoHistory.RecentDays = -1)
            .ValidateDataAnnotations()
            .Services.BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SegmentationOptions>>().Value);
    }
}
