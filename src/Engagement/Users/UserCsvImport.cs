using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Engagement.Activity;
using Engagement.Storage;
using PhoneNumbers;

namespace Engagement.Users;

/// <summary>
/// Imports user profiles from CSV:
/// <c>user_id,phone,push_token,time_zone,consent_sms,consent_push,consent_inapp,interests,registered_on</c>
/// (only user_id is required). Phones are normalised to E.164 with libphonenumber (numbers
/// without a country code are read in <c>defaultRegion</c>); an invalid phone, time zone or id
/// rejects the row with its line number. Existing activity and tiers are left alone.
/// </summary>
public sealed class UserCsvImport(UserStore users)
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public async Task<ImportReport> ImportAsync(TextReader reader, string defaultRegion, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = a => a.Header.Trim().ToLowerInvariant(),
            MissingFieldFound = null,
            TrimOptions = TrimOptions.Trim,
        };
        using var csv = new CsvReader(reader, config);
        await csv.ReadAsync();
        csv.ReadHeader();
        var rejected = new List<(int, string)>();
        var slice = new List<(string, UserProfile)>(10_000);
        int rows = 0, imported = 0;
        while (await csv.ReadAsync())
        {
            rows++;
            var error = Read(csv, defaultRegion, out var userId, out var profile);
            if (error is not null)
            {
                rejected.Add((csv.Parser.RawRow, error));
                continue;
            }

            slice.Add((userId!, profile!));
            if (slice.Count == slice.Capacity)
            {
                await users.UpsertProfilesAsync(slice, 8, cancellationToken);
                imported += slice.Count;
                progress?.Report(imported);
                slice.Clear();
            }
        }

        await users.UpsertProfilesAsync(slice, 8, cancellationToken);
        imported += slice.Count;
        progress?.Report(imported);
        return new ImportReport(rows, imported, rejected);
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

    private static string? Read(CsvReader csv, string region, out string? userId, out UserProfile? profile)
    {
        profile = null;
        userId = csv.GetField("user_id");
        if (!TableKeys.IsValid(userId, out var why))
        {
            return $"user_id {why}";
        }

        string? phone = null;
        if (csv.GetField("phone") is { Length: > 0 } rawPhone && (phone = NormalizePhone(rawPhone, region)) is null)
        {
            return "phone is not a valid number";
        }

        var zone = csv.GetField("time_zone");
        if (!string.IsNullOrEmpty(zone) && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            return $"time_zone '{zone}' is not a known zone id";
        }

        DateTimeOffset? registered = null;
        if (csv.GetField("registered_on") is { Length: > 0 } rawDate)
        {
            if (!DateTimeOffset.TryParse(rawDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d))
            {
                return $"registered_on '{rawDate}' is not a date";
            }

            registered = d;
        }

        if (!TryBool(csv.GetField("consent_sms"), false, out var sms) || !TryBool(csv.GetField("consent_push"), false, out var push) || !TryBool(csv.GetField("consent_inapp"), true, out var inApp))
        {
            return "consent columns take true/false, yes/no or 1/0";
        }

        profile = new UserProfile
        {
            Phone = phone,
            PushToken = NullIfEmpty(csv.GetField("push_token")),
            TimeZone = NullIfEmpty(zone),
            ConsentSms = sms,
            ConsentPush = push,
            ConsentInApp = inApp,
            Interests = NullIfEmpty(csv.GetField("interests")),
            RegisteredOn = registered,
            Source = "import",
        };
        return null;
    }

    private static bool TryBool(string? text, bool fallback, out bool value)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "": value = fallback; return true;
            case "true" or "yes" or "1" or "y": value = true; return true;
            case "false" or "no" or "0" or "n": value = false; return true;
            default: value = fallback; return false;
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
