using System.Globalization;
using System.Text;
using Engagement.Segmentation;

namespace Engagement.Cli.Commands;

/// <summary>
/// The file format of <c>engage score</c>: input <c>user_id,recency_days,frequency,monetary</c>
/// (an empty recency_days means "no activity at all"), output <c>user_id,r_score,f_score,m_score,tier</c>.
/// A plain line reader: the columns are numbers and an id, and this path is what the 1M-user
/// benchmark times, so it avoids a general CSV library's per-field overhead. Quoted ids are honoured.
/// </summary>
internal static class ScoreCsv
{
    public sealed record Input(string[] Ids, RfmValues[] Values);

    public static Input Read(string path, int maxRows = int.MaxValue)
    {
        var ids = new List<string>(Math.Min(maxRows, 1 << 16));
        var values = new List<RfmValues>(Math.Min(maxRows, 1 << 16));
        using var reader = new StreamReader(path, Encoding.UTF8, true, 1 << 16);
        var header = reader.ReadLine() ?? throw new FormatException("the file is empty");
        if (!header.Replace(" ", "", StringComparison.Ordinal).StartsWith("user_id,recency_days,frequency,monetary", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("the header must be user_id,recency_days,frequency,monetary");
        }

        var lineNo = 1;
        while (ids.Count < maxRows && reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }

            var span = line.AsSpan();
            string id;
            if (span[0] == '"')
            {
                var close = span[1..].IndexOf('"') + 1;
                id = span[1..close].ToString();
                span = span[(close + 1)..];
                span = span.Length > 0 && span[0] == ',' ? span[1..] : throw new FormatException($"line {lineNo}: expected ',' after the quoted id");
            }
            else
            {
                var c = span.IndexOf(',');
                if (c < 0)
                {
                    throw new FormatException($"line {lineNo}: expected 4 columns");
                }

                id = span[..c].ToString();
                span = span[(c + 1)..];
            }

            var c1 = span.IndexOf(',');
            var rest = c1 < 0 ? throw new FormatException($"line {lineNo}: expected 4 columns") : span[(c1 + 1)..];
            var c2 = rest.IndexOf(',');
            if (c2 < 0)
            {
                throw new FormatException($"line {lineNo}: expected 4 columns");
            }

            var recency = span[..c1].Trim();
            var frequency = rest[..c2].Trim();
            var monetary = rest[(c2 + 1)..].Trim();
            if (recency.IsEmpty)
            {
                values.Add(RfmValues.NoHistory);
            }
            else if (long.TryParse(recency, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) && r >= 0
                && long.TryParse(frequency, NumberStyles.Integer, CultureInfo.InvariantCulture, out var f) && f >= 0
                && decimal.TryParse(monetary.IsEmpty ? "0" : monetary, NumberStyles.Number, CultureInfo.InvariantCulture, out var m) && m >= 0)
            {
                values.Add(new RfmValues(true, r, f, (long)Math.Round(m * 100m, MidpointRounding.AwayFromZero)));
            }
            else
            {
                throw new FormatException($"line {lineNo}: recency_days and frequency must be whole numbers >= 0 and monetary a number >= 0");
            }

            ids.Add(id);
        }

        return new Input([.. ids], [.. values]);
    }

    public static void Write(string path, string[] ids, RfmBatchScorer.Result result)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write("user_id,r_score,f_score,m_score,tier\n");
        Span<char> digits = stackalloc char[7];
        for (var i = 0; i < ids.Length; i++)
        {
            var s = result.Scores[i];
            w.Write(Escape(ids[i]));
            digits[0] = ',';
            digits[1] = (char)('0' + s.R);
            digits[2] = ',';
            digits[3] = (char)('0' + s.F);
            digits[4] = ',';
            digits[5] = (char)('0' + s.M);
            digits[6] = ',';
            w.Write(digits);
            w.Write(result.Tiers[i]);
            w.Write('\n');
        }
    }

    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
