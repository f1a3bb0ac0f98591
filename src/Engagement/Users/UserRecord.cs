using Engagement.Activity;

namespace Engagement.Users;

/// <summary>What a user is to the engine: contact profile, activity aggregates, current RFM standing.</summary>
public sealed class UserRecord
{
    public required string UserId { get; init; }

    public UserProfile Profile { get; set; } = new();

    public ActivityAggregate Activity { get; set; } = new();

    /// <summary>The last scores and tier the nightly job wrote; null before the first run that saw the user.</summary>
    public RfmStanding? Standing { get; set; }
}

/// <summary>Contact and consent data. Consent defaults to none: a user we only know from events gets no marketing.</summary>
public sealed class UserProfile
{
    /// <summary>E.164, e.g. +8613800138000.</summary>
    public string? Phone { get; set; }

    public string? PushToken { get; set; }

    /// <summary>IANA zone of the user (quiet hours, monthly caps); null means the ops zone.</summary>
    public string? TimeZone { get; set; }

    public bool ConsentSms { get; set; }

    public bool ConsentPush { get; set; }

    public bool ConsentInApp { get; set; } = true;

    /// <summary>Declared interests (profile); observed ones live in the activity categories.</summary>
    public string? Interests { get; set; }

    public DateTimeOffset? RegisteredOn { get; set; }

    /// <summary>How the profile came to be: "import" or "activity" (minimal profile from an event).</summary>
    public string? Source { get; set; }
}
