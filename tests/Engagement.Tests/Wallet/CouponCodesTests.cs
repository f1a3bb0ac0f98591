using Engagement.Wallet;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Engagement.Tests.Wallet;

public sealed class CouponCodesTests
{
    private static readonly Arbitrary<string> Bodies =
        Gen.ArrayOf(Gen.Elements(CouponCodes.Alphabet.ToCharArray()), CouponCodes.RandomLength).Select(b => new string(b)).ToArbitrary();

    private static string WithCheck(string body) => body + CouponCodes.Alphabet[CouponCodes.CheckValue(body)];

    [Fact]
    public void Alphabet_Has31DistinctSymbols_WithoutLookAlikes()
    {
        Assert.Equal(31, CouponCodes.Alphabet.Distinct().Count());
        Assert.Equal(31, CouponCodes.Alphabet.Length);
        foreach (var c in "01ILO")
        {
            Assert.DoesNotContain(c, CouponCodes.Alphabet);
        }

        Assert.All(CouponCodes.Alphabet, c => Assert.True(char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c)));
    }

    [Fact]
    public void New_Has12SymbolsOfTheAlphabet_AndIsWellFormed()
    {
        for (var i = 0; i < 1000; i++)
        {
            var code = CouponCodes.New();
            Assert.Equal(12, code.Length);
            Assert.All(code, c => Assert.Contains(c, CouponCodes.Alphabet));
            Assert.True(CouponCodes.IsWellFormed(code), code);
        }
    }

    /// <summary>The proof behind the check: with a prime modulus, a weight w and a change d (both non-zero mod 31) never cancel.</summary>
    [Fact]
    public void EveryWeightTimesEveryChange_IsNonZeroMod31()
    {
        for (var w = 1; w <= CouponCodes.Length; w++)
        {
            for (var d = 1; d < 31; d++)
            {
                Assert.NotEqual(0, w * d % 31);
            }
        }
    }

    [Fact]
    public void EverySingleSubstitution_AndEveryAdjacentTransposition_IsRefused_Exhaustively()
    {
        for (var n = 0; n < 300; n++)
        {
            var code = CouponCodes.New();
            for (var i = 0; i < code.Length; i++)
            {
                foreach (var s in CouponCodes.Alphabet.Where(s => s != code[i]))
                {
                    var typo = code.ToCharArray();
                    typo[i] = s;
                    Assert.False(CouponCodes.IsWellFormed(new string(typo)), $"{code} -> {new string(typo)}");
                }

                if (i + 1 < code.Length && code[i] != code[i + 1])
                {
                    var swapped = code.ToCharArray();
                    (swapped[i], swapped[i + 1]) = (swapped[i + 1], swapped[i]);
                    Assert.False(CouponCodes.IsWellFormed(new string(swapped)), $"{code} -> {new string(swapped)}");
                }
            }
        }
    }

    [Property]
    public Property AnyBodyWithItsCheck_IsWellFormed_AndAnyOtherCheckIsNot() =>
        Prop.ForAll(Bodies, Gen.Choose(1, 30).ToArbitrary(), (body, shift) =>
        {
            var code = WithCheck(body);
            var wrong = body + CouponCodes.Alphabet[(CouponCodes.Alphabet.IndexOf(code[^1], StringComparison.Ordinal) + shift) % 31];
            return CouponCodes.IsWellFormed(code) && !CouponCodes.IsWellFormed(wrong);
        });

    [Property]
    public Property AnAdjacentTransposition_OfDifferentSymbols_IsRefused() =>
        Prop.ForAll(Bodies, Gen.Choose(0, CouponCodes.Length - 2).ToArbitrary(), (body, i) =>
        {
            var code = WithCheck(body).ToCharArray();
            var differ = code[i] != code[i + 1];
            (code[i], code[i + 1]) = (code[i + 1], code[i]);
            return !differ || !CouponCodes.IsWellFormed(new string(code));
        });

    [Theory]
    [InlineData("abcd-efgh-jkmn", "ABCDEFGHJKMN")]
    [InlineData(" ab cd\tEF-gh ", "ABCDEFGH")]
    [InlineData("", "")]
    public void Normalize_UppercasesAndDropsDashesAndWhiteSpace(string typed, string expected) =>
        Assert.Equal(expected, CouponCodes.Normalize(typed));

    [Fact]
    public void TheDisplayedForm_NormalizesBackToTheCode()
    {
        var code = CouponCodes.New();
        var shown = CouponCodes.Format(code);

        Assert.Matches("^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$", shown);
        Assert.Equal(code, CouponCodes.Normalize(shown.ToLowerInvariant()));
        Assert.True(CouponCodes.IsWellFormed(CouponCodes.Normalize(shown)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ABCDEFGHJKM")] // 11 symbols
    [InlineData("ABCDEFGHJKMNP")] // 13 symbols
    [InlineData("ABCDEFGHJKM0")] // a symbol outside the alphabet
    [InlineData("ABCDEFGHJKMI")]
    public void WrongLengthOrForeignSymbol_IsNotWellFormed(string code) => Assert.False(CouponCodes.IsWellFormed(code));

    [Fact]
    public void LookAlikeSymbols_AreNeverWellFormed()
    {
        var code = CouponCodes.New();
        foreach (var c in "01ILOilo")
        {
            Assert.False(CouponCodes.IsWellFormed(CouponCodes.Normalize(c + code[1..])));
        }
    }

    /// <summary>31,000 codes: each symbol expected 1,000 times per random position (sd ~31); a biased draw would be far out.</summary>
    [Fact]
    public void RandomSymbols_AreSpreadEvenly()
    {
        var counts = new int[CouponCodes.RandomLength, 31];
        for (var n = 0; n < 31_000; n++)
        {
            var code = CouponCodes.New();
            for (var i = 0; i < CouponCodes.RandomLength; i++)
            {
                counts[i, CouponCodes.Alphabet.IndexOf(code[i], StringComparison.Ordinal)]++;
            }
        }

        for (var i = 0; i < CouponCodes.RandomLength; i++)
        {
            for (var s = 0; s < 31; s++)
            {
                Assert.InRange(counts[i, s], 800, 1200);
            }
        }
    }
}
