namespace Engagement.Storage;

/// <summary>
/// Table keys must not contain '/', '\', '#', '?' or control characters (Azure rejects them;
/// Azurite answers 500 for '/'), and are at most 1 KiB. Ids from outside are checked here.
/// </summary>
public static class TableKeys
{
    public const int MaxLength = 256;

    public static bool IsValid(string? key, out string error)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            error = "is empty";
            return false;
        }

        if (key.Length > MaxLength)
        {
            error = $"is longer than {MaxLength} characters";
            return false;
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                error = $"contains '{(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString())}', which table keys cannot hold";
                return false;
            }
        }

        error = "";
        return true;
    }
}
