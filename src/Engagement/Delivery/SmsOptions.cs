using System.ComponentModel.DataAnnotations;

namespace Engagement.Delivery;

public sealed class SmsOptions
{
    public const string SectionName = "Sms";

    /// <summary>Prepended to every marketing SMS. China's rules ask for the brand in 【】.</summary>
    public string BrandSignature { get; set; } = "【Brand】";

    /// <summary>Appended to SMS to +86 numbers.</summary>
    [Required(AllowEmptyStrings = false)]
    public string OptOutLineCn { get; set; } = "回T退订";

    /// <summary>Appended to SMS to every other number.</summary>
    [Required(AllowEmptyStrings = false)]
    public string OptOutLine { get; set; } = "Reply STOP to opt out";

    /// <summary>A rendered SMS longer than this many segments is refused at validation.</summary>
    [Range(1, 10)]
    public int MaxSegments { get; set; } = 6;
}
