using Engagement.Delivery;

namespace Engagement.Tests.Delivery;

public class MessageTemplatesTests
{
    private static readonly TemplateValues Values = new("u42", "high-value", "books", 1234, "Black Friday", "2026-11-30 23:59");

    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    private readonly MessageTemplates _templates = new();

    [Fact]
    public void Render_BuiltIns_AreReplacedByValues()
    {
        var text = _templates.Render(
            "{{ user_id }}|{{ tier }}|{{ interest }}|{{ points }}|{{ campaign }}|{{ expires_at }}",
            Values,
            NoVariables);

        Assert.Equal("u42|high-value|books|1234|Black Friday|2026-11-30 23:59", text);
    }

    [Fact]
    public void Render_CustomVariable_IsReplacedByItsValue()
    {
        var text = _templates.Render("{{ campaign }}: {{ discount }} off with {{ code }}", Values, new Dictionary<string, string> { ["discount"] = "30%", ["code"] = "BF30" });

        Assert.Equal("Black Friday: 30% off with BF30", text);
    }

    [Fact]
    public void Render_KnownFilterAndTag_Work()
    {
        var text = _templates.Render("{{ tier | upcase }}{% if points > 1000 %} VIP{% endif %}", Values, NoVariables);

        Assert.Equal("HIGH-VALUE VIP", text);
    }

    [Fact]
    public void Render_SampleValues_UseCampaignName()
    {
        var text = _templates.Render("{{ campaign }} for {{ tier }}", TemplateValues.Sample("Spring"), NoVariables);

        Assert.Equal("Spring for dormant", text);
    }

    [Fact]
    public void Render_SurroundingWhitespace_IsTrimmed()
    {
        var text = _templates.Render("  \n {{ tier }} \n\t ", Values, NoVariables);

        Assert.Equal("high-value", text);
    }

    [Fact]
    public void Render_InnerWhitespace_IsKept()
    {
        Assert.Equal("a  \n b", _templates.Render(" a  \n b ", Values, NoVariables));
    }

    [Fact]
    public void Render_UnknownVariable_ThrowsTemplateRenderException()
    {
        var ex = Assert.Throws<TemplateRenderException>(() => _templates.Render("Hi {{ unknown_var }}", Values, NoVariables));

        Assert.Contains("unknown_var", ex.Message);
    }

    [Fact]
    public void Render_UnknownFilter_ThrowsTemplateRenderException()
    {
        var ex = Assert.Throws<TemplateRenderException>(() => _templates.Render("{{ tier | no_such_filter }}", Values, NoVariables));

        Assert.Contains("no_such_filter", ex.Message);
    }

    [Fact]
    public void Render_TemplateThatDoesNotParse_ThrowsTemplateRenderException()
    {
        var ex = Assert.Throws<TemplateRenderException>(() => _templates.Render("{{ tier ", Values, NoVariables));

        Assert.StartsWith("template does not parse:", ex.Message);
    }

    [Fact]
    public void Render_VariableOfOneCall_DoesNotLeakIntoNext()
    {
        Assert.Equal("x", _templates.Render("{{ code }}", Values, new Dictionary<string, string> { ["code"] = "x" }));

        Assert.Throws<TemplateRenderException>(() => _templates.Render("{{ code }}", Values, NoVariables));
    }

    [Fact]
    public void Check_ValidTemplate_ReturnsNull()
    {
        Assert.Null(_templates.Check("Hi {{ tier }}, {% if points > 0 %}{{ points }}{% endif %}"));
    }

    [Fact]
    public void Check_UnclosedOutput_ReturnsErrorWithPosition()
    {
        var error = _templates.Check("{{ tier ");

        Assert.NotNull(error);
        Assert.Matches(@"\d+:\d+", error);
    }

    [Fact]
    public void Check_UnclosedTag_ReturnsError()
    {
        Assert.NotNull(_templates.Check("{% if tier %}no end"));
    }

    [Fact]
    public void Check_UnknownVariable_IsOnlyCaughtAtRender()
    {
        Assert.Null(_templates.Check("{{ nmae }}"));
        Assert.Throws<TemplateRenderException>(() => _templates.Render("{{ nmae }}", Values, NoVariables));
    }

    [Theory]
    [InlineData("{{ points | divided_by: 0 }}")]
    [InlineData("{{ points | modulo: 0 }}")]
    [InlineData("{{ 99999999999999999999999999 | times: 99999999999999999999 }}")]
    [InlineData("{% include 'footer' %}")]
    [InlineData("{% render 'footer' %}")]
    public void Render_TemplateFailingAtRender_ThrowsTemplateRenderException(string template)
    {
        Assert.Null(_templates.Check(template));

        Assert.Throws<TemplateRenderException>(() => _templates.Render(template, Values, NoVariables));
    }
}
