using System.Security.Cryptography;
using System.Text;

namespace Engagement.Wallet;

/// <summary>
/// Coupon codes: 11 symbols from a cryptographic random source plus one check symbol, over 31 symbols
/// without look-alikes (digits 2-9, letters without I, L, O), shown as <c>XXXX-XXXX-XXXX</c>.
/// The check makes <c>sum((i+1) * value[i]) mod 31 == 0</c> over all 12 symbols: 31 is prime and every
/// weight (1..12) is non-zero and differs from its neighbour by 1, so a single substitution changes the
/// sum by <c>w*d != 0</c> and an adjacent transposition by <c>(w[i]-w[i+1])*(b-a) = a-b != 0</c> (mod 31):
/// every such typing error is caught before any storage read.
/// </summary>
public static class CouponCodes
{
    /// <summary>The 31 symbols, in value order. U and V both stay: dropping one would leave 30, not a prime.</summary>
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public const int RandomLength = 11;
    public const int Length = RandomLength + 1;
    private const int Modulus = 31;

    /// <summary>A fresh code (normalised form, no dashes).</summary>
    public static string New()
    {
        Span<char> code = stackalloc char[Length];
        for (var i = 0; i < RandomLength; i++)
        {
            code[i] = Alphabet[RandomNumberGenerator.GetInt32(Modulus)];
        }

        code[RandomLength] = Alphabet[CheckValue(code[..RandomLength])];
        return new string(code);
    }

    /// <summary>True when <paramref name="code"/> (normalised) has 12 symbols of the alphabet and a matching check symbol.</summary>
    public static bool IsWellFormed(string code)
    {
        if (code.Length != Length)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < Length; i++)
        {
            var v = Alphabet.IndexOf(code[i], StringComparison.Ordinal);
            if (v < 0)
            {
                return false;
            }

            sum += (i + 1) * v;
        }

        return sum % Modulus == 0;
    }

    /// <summary>What a person typed, as stored: upper case, without dashes and white space.</summary>
    public static string Normalize(string input)
    {
        var sb = new StringBuilder(input.Length);
        foreach (var c in input)
        {
            if (c != '-' && !char.IsWhiteSpace(c))
            {
                sb.Append(char.ToUpperInvariant(c));
            }
        }

        return sb.ToString();
    }

    /// <summary>The code as shown to people: <c>XXXX-XXXX-XXXX</c> (a code not of 12 symbols is returned unchanged).</summary>
    public static string Format(string code) =>
        code.Length == Length ? $"{code[..4]}-{code[4..8]}-{code[8..]}" : code;

    /// <summary>The check symbol's value for the 11 random symbols: the one that makes the weighted sum 0 mod 31.</summary>
    internal static int CheckValue(ReadOnlySpan<char> body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            sum += (i + 1) * Alphabet.IndexOf(body[i], StringComparison.Ordinal);
        }

        // w * v == -sum (mod 31) with w = 12; 12 * 13 = 156 = 5*31 + 1, so 13 is 12's inverse
        var weight = body.Length + 1;
        var inverse = Enumerable.Range(1, Modulus - 1).First(x => weight * x % Modulus == 1);
        return (Modulus - sum % Modulus) % Modulus * inverse % Modulus;
    }
}
