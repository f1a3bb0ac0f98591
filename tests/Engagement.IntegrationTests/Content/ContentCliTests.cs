using Engagement.Content;
using Engagement.IntegrationTests.Cli;

namespace Engagement.IntegrationTests.Content;

/// <summary>`engage content import` and `content list` as an operator runs them (a child process).</summary>
public sealed class ContentCliTests : CliAgainstEngine, IDisposable
{
    private const string Header = "id,title,body,deep_link,categories,tags,language,active_from,active_until,priority";

    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("engage-content-");

    public void Dispose() => _files.Delete(recursive: true);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_files.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task ImportAndList_AGoodFile_ImportsAndListsIt_ABadOne_ListsEveryBadLineAndWritesNothing()
    {
        var good = WriteFile("catalogue.csv", $"{Header}\n"
            + "recipe-1,Protein bowl,,app://content/recipe-1,fitness;food,,zh-CN,2020-01-01,,10\n"
            + "old-1,Old news,,app://content/old-1,news,,en,2020-01-01,2020-12-31,\n");
        var bad = WriteFile("catalogue.json", """
            [
              {"id": "recipe-1", "title": "Changed", "deepLink": "app://x", "categories": ["food"], "language": "en", "activeFrom": "2020-01-01"},
              {"id": "b1", "title": "T", "deepLink": "app://x", "categories": [], "language": "fr", "activeFrom": "2020-01-01"},
              {"id": "b1", "title": "T", "deepLink": "app://x", "categories": ["food"], "language": "en", "activeFrom": "2020-01-01T00:00"}
            ]
            """);

        var (imported, importOutput) = await RunAsync("content", "import", good);
        var (refused, refusedOutput) = await RunAsync("content", "import", bad);
        var (listed, list) = await RunAsync("content", "list");
        var (_, active) = await RunAsync("content", "list", "--active");

        Assert.Equal(0, imported);
        Assert.Contains("2 items imported (2 new, 0 updated).", importOutput, StringComparison.Ordinal);
        Assert.Equal(1, refused);
        Assert.Contains("refused, nothing imported: 2 of 3 rows are bad.", refusedOutput, StringComparison.Ordinal);
        Assert.Contains("line 3: categories is empty (at least one category); language 'fr' is not one of the configured languages", refusedOutput, StringComparison.Ordinal);
        Assert.Contains("line 4: activeFrom '2020-01-01T00:00' has no UTC offset", refusedOutput, StringComparison.Ordinal);
        Assert.Contains("id 'b1' is on more than one line (3, 4)", refusedOutput, StringComparison.Ordinal);
        Assert.Equal(0, listed);
        Assert.Contains("Protein bowl", list, StringComparison.Ordinal);
        Assert.DoesNotContain("Changed", list, StringComparison.Ordinal);
        Assert.Contains("fitness, food", list, StringComparison.Ordinal);
        Assert.Contains("2020-01-01 00:00 → 2021-01-01 00:00", list, StringComparison.Ordinal);
        Assert.Contains("2 items, 1 active now.", list, StringComparison.Ordinal);
        Assert.Contains("recipe-1", active, StringComparison.Ordinal);
        Assert.DoesNotContain("old-1", active, StringComparison.Ordinal);
        Assert.Equal(2, (await Engine.Get<ContentStore>().ListAsync(TestEngine.Deadline())).Count);
    }

    [Fact]
    public async Task Import_AFileWithAnUnknownColumn_ExitsTwoNamingIt()
    {
        var file = WriteFile("catalogue.csv", "id,title,deeplink,categories,language,active_from\na1,T,app://x,fit,en,2020-01-01\n");

        var (code, output) = await RunAsync("content", "import", file);

        Assert.Equal(2, code);
        Assert.Contains("'deeplink' (did you mean 'deep_link'?)", output, StringComparison.Ordinal);
        Assert.Empty(await Engine.Get<ContentStore>().ListAsync(TestEngine.Deadline()));
    }
}
