using Engagement.Content;

namespace Engagement.Tests.Content;

public sealed class ContentCatalogueFileTests
{
    internal const string Header = "id,title,body,deep_link,categories,tags,language,active_from,active_until,priority";

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    internal static readonly ContentRowRules Rules = new(["zh-CN", "en"], Shanghai);

    private const string GoodCsv = Header + "\n"
        + "recipe-1,Protein bowl,\"Ten minutes, 35 g\",app://content/recipe-1,Fitness; food,recipe;post-workout,zh-cn,2026-12-01,2026-12-31,10\n"
        + "run-1,Running in winter,,https://example.com/run?x=1,fitness,,en,2026-12-01T09:30:00+08:00,,\n";

    private const string GoodJson = """
        [
          {"id": "recipe-1", "title": "Protein bowl", "body": "Ten minutes, 35 g", "deepLink": "app://content/recipe-1",
           "categories": ["Fitness", "food"], "tags": ["recipe", "post-workout"], "language": "zh-cn",
           "activeFrom": "2026-12-01", "activeUntil": "2026-12-31", "priority": 10},
          {"id": "run-1", "title": "Running in winter", "deepLink": "https://example.com/run?x=1", "categories": ["fitness"],
           "language": "en", "activeFrom": "2026-12-01T09:30:00+08:00", "activeUntil": null}
        ]
        """;

    internal static ContentFileResult Csv(string text) => ContentCatalogueFile.Read(text, ContentFileFormat.Csv, Rules);

    private static ContentFileResult Json(string text) => ContentCatalogueFile.Read(text, ContentFileFormat.Json, Rules);

    /// <summary>An item as comparable text (the record's lists compare by reference).</summary>
    internal static string Show(ContentItem i) =>
        $"{i.Id}|{i.Title}|{i.Body}|{i.DeepLink}|{string.Join(';', i.Categories)}|{string.Join(';', i.Tags)}|{i.Language}|{i.ActiveFrom.UtcDateTime:O}|{i.ActiveUntil?.UtcDateTime:O}|{i.Priority}";

    [Fact]
    public void Read_GoodCsv_GivesEveryItemNormalised()
    {
        var result = Csv(GoodCsv);

        Assert.True(result.IsValid);
        Assert.Equal(2, result.Rows);
        var recipe = result.Items[0];
        Assert.Equal(["fitness", "food"], recipe.Categories); // lower-cased, as activity events' categories are
        Assert.Equal(["recipe", "post-workout"], recipe.Tags);
        Assert.Equal("zh-CN", recipe.Language); // the configured spelling
        Assert.Equal("Ten minutes, 35 g", recipe.Body);
        Assert.Equal(10, recipe.Priority);
        // a date is a day in the ops zone: from its first instant, until the end of the until day
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero), recipe.ActiveFrom);
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 16, 0, 0, TimeSpan.Zero), recipe.ActiveUntil);
        var run = result.Items[1];
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 1, 30, 0, TimeSpan.Zero), run.ActiveFrom);
        Assert.Null(run.ActiveUntil);
        Assert.Equal(0, run.Priority);
        Assert.Equal("", run.Body);
        Assert.Empty(run.Tags);
    }

    [Fact]
    public void Read_CsvAndJsonOfTheSameCatalogue_GiveTheSameItems()
    {
        var csv = Csv(GoodCsv);
        var json = Json(GoodJson);

        Assert.True(json.IsValid, string.Join("; ", json.FileErrors.Concat(json.BadRows.SelectMany(r => r.Reasons))));
        Assert.Equal(csv.Items.Select(Show), json.Items.Select(Show));
    }

    [Fact]
    public void Read_TheSampleFilesInDocs_AreValidAndTheSame()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Engagement.sln")))
        {
            dir = dir.Parent;
        }

        var examples = Path.Combine(dir.FullName, "docs", "examples");
        var csv = Csv(File.ReadAllText(Path.Combine(examples, "content.csv")));
        var json = Json(File.ReadAllText(Path.Combine(examples, "content.json")));

        Assert.True(csv.IsValid && json.IsValid);
        Assert.Equal(3, csv.Items.Count);
        Assert.Equal(csv.Items.Select(Show), json.Items.Select(Show));
    }

    [Theory]
    [InlineData(",T,,app://x,fit,,en,2026-12-01,,", "id is missing")]
    [InlineData("a/1,T,,app://x,fit,,en,2026-12-01,,", "id contains '/'")]
    [InlineData(" a1,T,,app://x,fit,,en,2026-12-01,,", "id ' a1' has leading or trailing whitespace")]
    [InlineData("a1,,,app://x,fit,,en,2026-12-01,,", "title is missing")]
    [InlineData("a1,T,,,fit,,en,2026-12-01,,", "deep_link is missing")]
    [InlineData("a1,T,,not a link,fit,,en,2026-12-01,,", "deep_link 'not a link' is not an absolute URI")]
    [InlineData("a1,T,,app://x,,,en,2026-12-01,,", "categories is empty")]
    [InlineData("a1,T,,/recipes/1,fit,,en,2026-12-01,,", "deep_link '/recipes/1' is not an absolute URI")]
    [InlineData("a1,T,,app://x,fit;home & garden,,en,2026-12-01,,", "categories: 'home & garden' is not 1-40 of a-z, 0-9, '-'")]
    [InlineData("a1,T,,app://x,fit,,fr,2026-12-01,,", "language 'fr' is not one of the configured languages (zh-CN, en; Content:Languages)")]
    [InlineData("a1,T,,app://x,fit,,,2026-12-01,,", "language is missing")]
    [InlineData("a1,T,,app://x,fit,,en,,,", "active_from is missing")]
    [InlineData("a1,T,,app://x,fit,,en,2026-13-01,,", "active_from '2026-13-01' is not a date")]
    [InlineData("a1,T,,app://x,fit,,en,01/12/2026,,", "active_from '01/12/2026' is not a date")]
    [InlineData("a1,T,,app://x,fit,,en,2026-12-01T10:00,,", "active_from '2026-12-01T10:00' has no UTC offset")]
    [InlineData("a1,T,,app://x,fit,,en,2026-02-30T10:00Z,,", "active_from '2026-02-30T10:00Z' is not a valid timestamp")]
    [InlineData("a1,T,,app://x,fit,,en,2026-12-01,soon,", "active_until 'soon' is not a date")]
    [InlineData("a1,T,,app://x,fit,,en,2026-12-05,2026-12-01,", "active_until '2026-12-01' is not after active_from '2026-12-05'")]
    [InlineData("a1,T,,app://x,fit,,en,2026-12-01T00:00+08:00,2026-11-30T16:00Z,", "active_until '2026-11-30T16:00Z' is not after active_from")]
    [InlineData("a1,T,,app://x,fit,,en,2026-12-01,,high", "priority 'high' is not an integer")]
    [InlineData("a1,T,,app://x,fit,,en,2026-12-01,,1.5", "priority '1.5' is not an integer")]
    [InlineData("a1,T,,app://x,fit,,en,2026-12-01,,,extra", "has 11 cells where the header has 10")]
    public void Read_ABadRow_IsRejectedWithItsLineAndReason(string row, string reason)
    {
        var result = Csv($"{Header}\nok,T,,app://ok,fit,,en,2026-12-01,,\n{row}\n");

        Assert.False(result.IsValid);
        Assert.Empty(result.Items); // one bad row: nothing of the file is imported
        var bad = Assert.Single(result.BadRows);
        Assert.Equal(3, bad.Line);
        Assert.Contains(bad.Reasons, r => r.StartsWith(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ADateOnlyWindowOfOneDay_IsValid()
    {
        // until is inclusive of its day: from 2026-12-01 until 2026-12-01 is that one day
        var item = Assert.Single(Csv($"{Header}\na1,T,,app://x,fit,,en,2026-12-01,2026-12-01,\n").Items);

        Assert.True(item.IsActiveAt(new DateTimeOffset(2026, 12, 1, 23, 59, 0, TimeSpan.FromHours(8))));
        Assert.False(item.IsActiveAt(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.FromHours(8))));
        Assert.False(item.IsActiveAt(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.FromHours(8))));
    }

    [Fact]
    public void Read_DuplicateIds_NameBothLinesOnEachRow()
    {
        var result = Csv($"{Header}\na1,T,,app://x,fit,,en,2026-12-01,,\nb1,T,,app://x,fit,,en,2026-12-01,,\na1,T2,,app://y,fit,,en,2026-12-01,,\n");

        Assert.Equal([2, 4], result.BadRows.Select(r => r.Line));
        Assert.All(result.BadRows, r => Assert.Contains("id 'a1' is on more than one line (2, 4)", r.Reasons));
    }

    [Fact]
    public void Read_SeveralBadRows_ListsEveryOneWithItsLineAndAllItsReasons()
    {
        var csv = $"{Header}\n"
            + "ok,T,,app://ok,fit,,en,2026-12-01,,\n" // line 2: good
            + ",,,,,,fr,2026-13-01,,x\n" // line 3: six reasons
            + "b1,T,\"a body\non two lines\",app://b,fit,,en,2026-12-05,2026-12-01,\n" // lines 4-5
            + "\n" // line 6: blank, skipped
            + "c1,T,,app://c,Fit Ness,,EN,2026-12-01T10:00,,\n"; // line 7

        var result = Csv(csv);

        Assert.Empty(result.Items);
        Assert.Equal(4, result.Rows);
        Assert.Equal([3, 4, 7], result.BadRows.Select(r => r.Line));
        Assert.Equal(
            ["id is missing", "title is missing", "deep_link is missing", "categories is empty (at least one category)",
             "language 'fr' is not one of the configured languages (zh-CN, en; Content:Languages)",
             "active_from '2026-13-01' is not a date (yyyy-MM-dd) or an ISO 8601 timestamp (yyyy-MM-ddTHH:mm[:ss]+hh:mm)",
             "priority 'x' is not an integer"],
            result.BadRows[0].Reasons);
        Assert.Equal(["active_until '2026-12-01' is not after active_from '2026-12-05'"], result.BadRows[1].Reasons);
        Assert.Equal(2, result.BadRows[2].Reasons.Count); // the category with a space and the timestamp without offset; "EN" is en
    }

    [Fact]
    public void Read_UnknownAndMissingColumns_AreNamedAndNoRowIsJudged()
    {
        var result = Csv("id,titel,deeplink,categories,language,active_from,colour\na1,T,app://x,fit,en,2026-12-01,red\n");

        var error = Assert.Single(result.FileErrors);
        Assert.Contains("'titel' (did you mean 'title'?)", error, StringComparison.Ordinal);
        Assert.Contains("'deeplink' (did you mean 'deep_link'?)", error, StringComparison.Ordinal);
        Assert.Contains("'colour'", error, StringComparison.Ordinal);
        Assert.Contains("missing required column 'title'", error, StringComparison.Ordinal);
        Assert.Contains("missing required column 'deep_link'", error, StringComparison.Ordinal);
        Assert.Empty(result.Items);
        Assert.Empty(result.BadRows);
    }

    [Fact]
    public void Read_OnlyTheRequiredColumns_IsEnough()
    {
        var item = Assert.Single(Csv("ID,Title,Deep_Link,Categories,Language,Active_From\na1,T,app://x,fit,en,2026-12-01\n").Items);

        Assert.Equal(("a1", "", 0, (DateTimeOffset?)null), (item.Id, item.Body, item.Priority, item.ActiveUntil));
    }

    [Fact]
    public void Read_EmptyFile_IsRefusedForItsMissingHeader()
    {
        Assert.Contains("no header row", Assert.Single(Csv("").FileErrors), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AStrayQuote_IsThatRowsReason()
    {
        var result = Csv($"{Header}\na1,T,,app://x,fit,,en,2026-12-01,,\na2,Say \"hi\",,app://x,fit,,en,2026-12-01,,\n");

        var bad = Assert.Single(result.BadRows);
        Assert.Equal(3, bad.Line);
        Assert.StartsWith("a cell has a quote but is not quoted whole (Say \"hi\")", Assert.Single(bad.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_JsonWithUnknownFields_NamesThemWithTheirLines()
    {
        var json = "[\n{\"id\": \"a1\", \"titel\": \"T\"},\n{\"id\": \"a2\", \"titel\": \"T\", \"colour\": 1}\n]";

        var errors = Json(json).FileErrors;

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("unknown field 'titel' (did you mean 'title'?) on lines 2, 3", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown field 'colour' on line 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_JsonRows_AreJudgedWithTheirLinesAndJsonNames()
    {
        var json = """
            [
              {"id": "a1", "title": "T", "deepLink": "app://x", "categories": ["fit"], "language": "en", "activeFrom": "2026-12-01"},
              {"id": "a2", "title": "T", "deepLink": "app://x", "categories": "fit", "language": "en", "activeFrom": "2026-12-01",
               "priority": "5"},
              {"id": 3, "title": "T", "deepLink": "app://x", "categories": ["fit"], "language": "en", "activeUntil": "2026-12-01"},
              "a4"
            ]
            """;

        var result = Json(json);

        Assert.Equal([3, 5, 6], result.BadRows.Select(r => r.Line));
        Assert.Equal(["categories must be an array of strings", "priority must be a number, not a string", "categories is empty (at least one category)"], result.BadRows[0].Reasons);
        Assert.Equal(["id must be a string, not a number", "id is missing", "activeFrom is missing"], result.BadRows[1].Reasons);
        Assert.Equal(["is a JSON string, not an object"], result.BadRows[2].Reasons.Take(1));
    }

    [Theory]
    [InlineData("{\"id\": \"a1\"}", "a JSON catalogue is an array of objects")]
    [InlineData("[{\"id\": \"a1\",\n \"title\" \"T\"}]", "not valid JSON at line 2")]
    public void Read_JsonThatIsNotACatalogue_IsRefusedWhole(string json, string error)
    {
        Assert.Contains(error, Assert.Single(Json(json).FileErrors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("items.json", "id,title", ContentFileFormat.Json)]
    [InlineData("items.CSV", "[", ContentFileFormat.Csv)]
    [InlineData("items.txt", "  [{}]", ContentFileFormat.Json)]
    [InlineData("items", "id,title", ContentFileFormat.Csv)]
    public void FormatOf_ByExtensionThenByContent(string path, string text, ContentFileFormat expected)
    {
        Assert.Equal(expected, ContentCatalogueFile.FormatOf(path, text));
    }

    [Fact]
    public void OptionsValidator_RefusesABadOrRepeatedLanguage()
    {
        var problems = ContentOptionsValidator.Problems(new ContentOptions { Languages = ["zh-CN", "en", "EN", "english!"] }).ToList();

        Assert.Equal(["Content:Languages:2 'EN' is in the list twice", "Content:Languages:3 'english!' is not a language tag (e.g. zh-CN, en)"], problems);
        Assert.Empty(ContentOptionsValidator.Problems(new ContentOptions { Languages = ["zh-CN", "en", "zh-Hant-TW"] }));
    }
}
