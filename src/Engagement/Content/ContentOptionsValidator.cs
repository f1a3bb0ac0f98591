using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Engagement.Content;

/// <summary>Refuses content settings that cannot work at start-up, each problem naming its setting (<c>Content:Languages:1</c>).</summary>
public sealed partial class ContentOptionsValidator : IValidateOptions<ContentOptions>
{
    public ValidateOptionsResult Validate(string? name, ContentOptions options)
    {
        var errors = Problems(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IEnumerable<string> Problems(ContentOptions options)
    {
        // items are matched to a language case-insensitively, so two spellings of one language would be one
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Languages.Count; i++)
        {
            var language = options.Languages[i];
            if (!LanguageTag().IsMatch(language))
            {
                yield return $"Content:Languages:{i} '{language}' is not a language tag (e.g. zh-CN, en)";
            }
            else if (!seen.Add(language))
            {
                yield return $"Content:Languages:{i} '{language}' is in the list twice";
            }
        }
    }

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguageTag();
}
