using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using Engagement.Imports;
using Engagement.Storage;
using PhoneNumbers;

namespace Engagement.Users;

/// <summary>One row of a profile file: the profile columns it states (<see cref="UserEntity"/> names), or why it is refused.</summary>
public sealed record UserCsvRow(int Line, string UserId, IReadOnlyDictionary<string, object?> Columns, IReadOnlyList<string> Errors);

/// <summary>
/// Imports user profiles from CSV with the header <see cref="Columns"/> (only user_id is required; an unknown
/// or missing required column refuses the file). A row changes only what it states: a column the file leaves
/// out or an empty cell keeps the user's value, so an empty consent cell neither grants nor revokes consent;
/// a user the file creates starts with no phone and no consent on any channel, in-app included. Phones are
/// normalised to E.164 with libphonenumber (numbers without a country code are read in <c>defaultRegion</c>);
/// a bad row is rejected with its line number and every error in it. Existing activity and tiers are left alone.
/// </summary>
public sealed class UserCsvImport(UserStore users)
{
    public static readonly IReadOnlyList<string> Columns =
        ["user_id", "phone", "push_token", "time_zone", "consent_sms", "consent_push", "consent_inapp", "interests", "registered_on"];

    private static readonly string[] Required = ["user_id"];

    private static readonly (string Column, string Property)[] Consents =
        [("consent_sms", UserEntity.ConsentSms), ("consent_push", UserEntity.ConsentPush), ("consent_inapp", UserEntity.ConsentInApp)];

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>Only the header check: the CLI refuses a misspelt file before it starts storage.</summary>
    /// <exception cref="CsvHeaderException">An unknown, repeated or missing required column.</exception>
    public static async Task CheckHeaderAsync(TextReader reader) => (await CsvHeader.OpenAsync(reader, Columns, Required)).Csv.Dispose();

    public async Task<ImportReport> ImportAsync(TextReader reader, string defaultRegion, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var rejected = new List<(int, string)>();
        var slice = new List<UserCsvRow>(10_000);
        int rows = 0, imported = 0;
        await foreach (var row in ReadAsync(reader, defaultRegion, cancellationToken))
        {
            rows++;
            if (row.Errors.Count > 0)
            {
                rejected.Add((row.Line, string.Join("; ", row.Errors)));
                continue;
            }

            slice.Add(row);
            if (slice.Count == slice.Capacity)
            {
                imported += await WriteAsync(slice, cancellationToken);
                progress?.Report(imported);
            }
        }

        if (slice.Count > 0)
        {
            imported += await WriteAsync(slice, cancellationToken);
            progress?.Report(imported);
        }

        return new ImportReport(rows, imported, rejected);
    }

    /// <summary>The file's rows, after its header is checked (a <see cref="CsvHeaderException"/> comes before any row).</summary>
    public static async IAsyncEnumerable<UserCsvRow> ReadAsync(TextReader reader, string defaultRegion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (csv, header) = await CsvHeader.OpenAsync(reader, Columns, Required);
        using var _ = csv;
        while (await csv.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return ReadRow(csv, header, defaultRegion);
        }
    }

    /// <summary>E.164 for a valid number, else null.</summary>
    public static string? NormalizePhone(string raw, string defaultRegion)
    {
        try
        {
            var number = Phones.Parse(raw, defaultRegion);
            // a short number parses without error: validity is a separate check
            return Phones.IsValidNumber(number) ? Phones.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>Writes a slice and empties it; returns how many rows it held.</summary>
    private async Task<int> WriteAsync(List<UserCsvRow> slice, CancellationToken cancellationToken)
    {
        // in-app consent absent from a row reads as true (the default of users known from events), so a user
        // this file creates gets an explicit false; whoever exists already keeps their answer
        var unstated = slice.Where(r => !r.Columns.ContainsKey(UserEntity.ConsentInApp)).Select(r => r.UserId).ToList();
        IReadOnlySet<string> existing = unstated.Count == 0 ? new HashSet<string>() : await users.ExistingAsync(unstated, 16, cancellationToken);
        var writes = slice.Select(r => (r.UserId, r.Columns.ContainsKey(UserEntity.ConsentInApp) || existing.Contains(r.UserId)
            ? r.Columns
            : new Dictionary<string, object?>(r.Columns, StringComparer.Ordinal) { [UserEntity.ConsentInApp] = false })).ToList();
        await users.MergeProfileColumnsAsync(writes, 8, cancellationToken);
        var count = slice.Count;
        slice.Clear();
        return count;
    }

    private static UserCsvRow ReadRow(CsvReader csv, CsvHeader header, string region)
    {
        var errors = new List<string>();
        var columns = new Dictionary<string, object?>(StringComparer.Ordinal) { [UserEntity.Source] = "import" };
        // an empty cell and a column the file does not have both state nothing
        string? Cell(string column) => header.Has(column) && csv.GetField(column)?.Trim() is { Length: > 0 } text ? text : null;

        // as written: " u1 " would be another user than "u1", so padding is refused, not trimmed
        var userId = csv.GetField("user_id") ?? "";
        if (!TableKeys.IsValid(userId, out var why))
        {
            errors.Add($"user_id {why}");
        }
        else if (char.IsWhiteSpace(userId[0]) || char.IsWhiteSpace(userId[^1]))
        {
            errors.Add("user_id has leading or trailing whitespace");
        }

        if (Cell("phone") is { } rawPhone)
        {
            // the number itself stays out of the message: rejected rows are printed
            if (NormalizePhone(rawPhone, region) is { } phone)
            {
                columns[UserEntity.Phone] = phone;
            }
            else
            {
                errors.Add("phone is not a valid number");
            }
        }

        if (Cell("time_zone") is { } zone)
        {
            if (TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                columns[UserEntity.TimeZone] = zone;
            }
            else
            {
                errors.Add($"time_zone '{zone}' is not a known zone id");
            }
        }

        if (Cell("registered_on") is { } rawDate)
        {
            if (DateTimeOffset.TryParse(rawDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var registered))
            {
                columns[UserEntity.RegisteredOn] = registered;
            }
            else
            {
                errors.Add($"registered_on '{rawDate}' is not a date");
            }
        }

        foreach (var (column, property) in Consents)
        {
            if (Cell(column) is not { } text)
            {
                continue;
            }

            if (TryConsent(text) is { } consent)
            {
                columns[property] = consent;
            }
            else
            {
                errors.Add($"{column} '{text}' is not true/false, yes/no or 1/0");
            }
        }

        if (Cell("push_token") is { } token)
        {
            columns[UserEntity.PushToken] = token;
        }

        if (Cell("interests") is { } interests)
        {
            columns[UserEntity.Interests] = interests;
        }

        return new UserCsvRow(csv.Parser.RawRow, userId, columns, errors);
    }

    private static bool? TryConsent(string text) => text.ToLowerInvariant() switch
    {
        "true" or "yes" or "1" or "y" => true,
        "false" or "no" or "0" or "n" => false,
        _ => null,
    };
}
