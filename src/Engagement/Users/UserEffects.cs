using Azure;
using Azure.Data.Tables;
using Engagement.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Users;

/// <summary>What a provider says about a user (on a send or in a callback) that stops further messages to them.</summary>
public static class UserEffect
{
    /// <summary>The user replied STOP / 退订, or Twilio says they did (21610): no SMS consent from now on.</summary>
    public const string OptedOut = "opted-out";

    /// <summary>The number does not take SMS (invalid, unreachable, landline): suppressed until the profile changes it.</summary>
    public const string InvalidPhone = "invalid-phone";

    /// <summary>The push token is dead (FCM UNREGISTERED): removed.</summary>
    public const string PushTokenInvalid = "push-token-invalid";

    /// <summary>The user replied START / UNSTOP / YES: SMS consent again, and an earlier opt-out is lifted.</summary>
    public const string OptedIn = "opted-in";
}

/// <summary>Applies a <see cref="UserEffect"/> to the user's row: a merge of only the columns it changes.</summary>
public sealed partial class UserEffects(StorageClients storage, UserShards shards, TimeProvider time, ILogger<UserEffects> log)
{
    /// <param name="phone">The number the effect is about (an invalid number is suppressed only while the profile keeps it).</param>
    public async Task ApplyAsync(string userId, string? effect, CancellationToken cancellationToken, string? phone = null)
    {
        var update = new TableEntity(shards.Of(userId), userId);
        switch (effect)
        {
            case UserEffect.OptedOut:
                update[UserEntity.ConsentSms] = false;
                update[UserEntity.SmsOptedOutAt] = time.GetUtcNow();
                break;
            case UserEffect.InvalidPhone:
                update[UserEntity.PhoneSuppressed] = true;
                update[UserEntity.SuppressedPhone] = phone ?? "";
                break;
            case UserEffect.OptedIn:
                update[UserEntity.ConsentSms] = true;
                update[UserEntity.SmsOptedInAt] = time.GetUtcNow();
                break;
            case UserEffect.PushTokenInvalid:
                update[UserEntity.PushToken] = ""; // a merge cannot delete a column: empty means none
                break;
            default:
                return;
        }

        var users = await storage.TableAsync(TableNames.Users, cancellationToken);
        await users.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, cancellationToken);
        LogUserEffect(log, userId, effect);
    }

    [LoggerMessage(LogLevel.Information, "User {UserId}: {Effect}")]
    private static partial void LogUserEffect(ILogger logger, string userId, string effect);
}
