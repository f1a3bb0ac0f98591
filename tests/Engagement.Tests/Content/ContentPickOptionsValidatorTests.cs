using Engagement.Content;

namespace Engagement.Tests.Content;

public sealed class ContentPickOptionsValidatorTests
{
    [Fact]
    public void TheDefaultsAreValid()
    {
        var options = new ContentPickOptions();
        Assert.Empty(ContentPickOptionsValidator.Problems(options));
        Assert.Equal((5.0, 1.0, 0.0, 30.0, 12), (options.Weights.Purchase, options.Weights.Interaction, options.Weights.Login, options.HalfLifeDays, options.RepeatWindowWeeks));
        Assert.Equal(TimeSpan.FromDays(84), options.RepeatWindow);
    }

    [Fact]
    public void EachProblemNamesItsSetting()
    {
        var options = new ContentPickOptions { HalfLifeDays = 0, RepeatWindowWeeks = 0, Weights = new() { Purchase = -1, Interaction = 0, Login = 0 } };

        var problems = ContentPickOptionsValidator.Problems(options).ToList();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Content:Pick:HalfLifeDays 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Content:Pick:RepeatWindowWeeks 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Content:Pick:Weights:Purchase -1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Content:Pick:Weights: at least one", StringComparison.Ordinal));
    }

    [Fact]
    public void NaNHalfLifeIsRefused()
    {
        Assert.Single(ContentPickOptionsValidator.Problems(new ContentPickOptions { HalfLifeDays = double.NaN }));
    }
}
