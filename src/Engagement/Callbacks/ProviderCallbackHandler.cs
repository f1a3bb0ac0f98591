using System.Web;
using Engagement.Delivery;
using Engagement.Delivery.Twilio;
using Engagement.Messaging;
using Engagement.Storage;
using Engagement.Telemetry;
using Engagement.Users;
using Microsoft.Extensions.Logging;

namespace Engagement.Callbacks;

/// <summary>What one callback changed.</summary>
public sealed record CallbackResult(string Effect, int Users = 0);

/// <summary>
/// Handles <c>provider-callbacks</c> messages. A status callback advances the delivery's provider
/// status (never backwards: callbacks arrive out of order and more than once), settles an
/// <c>unknown</c> delivery as accepted (Twilio would not call back about a message it never took),
/// and suppresses numbers Twilio says cannot take SMS. An inbound STOP / 退订 removes SMS consent from
/// every user with that number; START / UNSTOP / YES gives it back.
/// </summary>
public sealed partial class ProviderCallbackHandler(
    DeliveryLedger ledger,
    UserShards shards,
    PhoneIndex phones,
    UserEffects userEffects,
    EngagementTelemetry telemetry,
    TimeProvider time,
    ILogger<ProviderCallbackHandler> log)
{
    // Twilio's message statuses in the order they happen; the last four end a message's life
    private static readonly Dictionary<string, int> StatusRank = new(StringComparer.Ordinal)
    {
        ["accepted"] = 1, ["scheduled"] = 1, ["queued"] = 2, ["sending"] = 3, ["sent"] = 4,
        ["delivered"] = 5, ["undelivered"] = 5, ["failed"] = 5, ["read"] = 6, ["canceled"] = 5,
    };

    public async Task<CallbackResult> HandleAsync(ProviderCallback callback, CancellationToken cancellationToken)
    {
        var result = callback.Kind switch
        {
            CallbackKinds.TwilioStatus => await StatusAsync(callback, cancellationToken),
            CallbackKinds.TwilioInbound => await InboundAsync(callback, cancellationToken),
            _ => throw new MalformedMessageException($"unknown callback kind '{callback.Kind}'"),
        };
        telemetry.CallbackHandled(callback.Kind, result.Effect);
        return result;
    }

    private async Task<CallbackResult> StatusAsync(ProviderCallback callback, CancellationToken ct)
    {
        var deliveryId = HttpUtility.ParseQueryString(new Uri(callback.Url).Query)["deliveryId"]
            ?? throw new MalformedMessageException("status callback URL without deliveryId");
        var sid = callback.Field("MessageSid");
        var status = callback.Field("MessageStatus");
        if (!StatusRank.TryGetValue(status, out var rank))
        {
            throw new MalformedMessageException($"unknown MessageStatus '{status}'");
        }

        var parsed = DeliveryKey.TryParseId(deliveryId, out var partition, out var rowKey);
        var shard = DeliveryKey.ShardOf(partition);
        if (!parsed || !shards.All.Contains(shard, StringComparer.Ordinal) || !TableKeys.IsValid(rowKey, out _))
        {
            throw new MalformedMessageException($"deliveryId '{deliveryId}' is not a delivery of this deployment");
        }

        var row = await ledger.FindAsync(partition, rowKey, ct) ?? throw new MalformedMessageException($"no delivery '{deliveryId}'");
        if (row.ProviderId is { Length: > 0 } known && known != sid)
        {
            throw new MalformedMessageException($"delivery '{deliveryId}' was sent as {known}, not {sid}");
        }

        if (row.State == DeliveryStates.Sending)
        {
            // the worker is about to record the outcome with this row's ETag: let it, and come back
            throw new InvalidOperationException($"delivery '{deliveryId}' is still being sent; the callback will be retried");
        }

        var errorCode = callback.Optional("ErrorCode");
        var now = time.GetUtcNow();
        var previous = row.ProviderStatus is { } p && StatusRank.TryGetValue(p, out var r) ? r : 0;
        var advanced = rank > previous ? row with { ProviderStatus = status, ProviderStatusAt = now, ProviderError = errorCode ?? row.ProviderError } : row;
        MoveResult written;
        string effect;
        if (row.State is DeliveryStates.Unknown or DeliveryStates.Planned)
        {
            // Twilio has the message: never send it again
            written = await ledger.TryMoveAsync(row, advanced with { State = DeliveryStates.Accepted, ProviderId = sid, SettledBy = "status-callback" }, ct);
            effect = "settled";
        }
        else if (rank > previous)
        {
            written = await ledger.TryRecordProviderStatusAsync(row, status, now, errorCode, ct);
            effect = "status-advanced";
        }
        else
        {
            return new CallbackResult("duplicate"); // an older or repeated status: nothing to write
        }

        if (!written.Moved)
        {
            throw new InvalidOperationException($"delivery '{deliveryId}' changed while its callback was applied; retried");
        }

        var userEffect = TwilioErrorCodes.UserEffectOfCallback(status, errorCode);
        if (userEffect is not null && row.UserId is { Length: > 0 } userId)
        {
            await userEffects.ApplyAsync(userId, userEffect, ct, phone: row.To ?? callback.Optional("To"));
            return new CallbackResult(userEffect, 1);
        }

        LogStatus(log, deliveryId, status, effect);
        return new CallbackResult(effect);
    }

    private async Task<CallbackResult> InboundAsync(ProviderCallback callback, CancellationToken ct)
    {
        var from = callback.Field("From");
        var body = callback.Optional("Body");
        var effect = SmsKeywords.IsOptOut(body) ? UserEffect.OptedOut : SmsKeywords.IsOptIn(body) ? UserEffect.OptedIn : null;
        if (effect is null)
        {
            LogNotAKeyword(log, callback.Optional("MessageSid") ?? "-");
            return new CallbackResult("ignored"); // two-way conversations are not the engine's
        }

        var users = await phones.UsersWithAsync(from, ct);
        foreach (var userId in users)
        {
            await userEffects.ApplyAsync(userId, effect, ct, phone: from);
        }

        LogKeyword(log, callback.Optional("MessageSid") ?? "-", effect, users.Count);
        return new CallbackResult(effect, users.Count);
    }

    [LoggerMessage(LogLevel.Information, "Status callback for {DeliveryId}: {Status} ({Effect})")]
    private static partial void LogStatus(ILogger logger, string deliveryId, string status, string effect);

    [LoggerMessage(LogLevel.Information, "Inbound SMS {MessageSid} is a keyword: {Effect} for {Users} user(s)")]
    private static partial void LogKeyword(ILogger logger, string messageSid, string effect, int users);

    [LoggerMessage(LogLevel.Debug, "Inbound SMS {MessageSid} is not an opt-out or opt-in keyword; ignored")]
    private static partial void LogNotAKeyword(ILogger logger, string messageSid);
}
