namespace Engagement.Activity;

public enum ContentAction
{
    Open,
    Click,
}

/// <summary>
/// What a <c>content_open</c> or <c>content_click</c> event adds to an interaction: the catalogue item and the delivery
/// that brought it (<c>{partition}/{row}</c> of the delivery ledger). Only the format is checked at parse time; that
/// both exist, and that the delivery is the user's, is checked against storage before the event is applied.
/// </summary>
public sealed record ContentInteraction(ContentAction Action, string ContentId, string DeliveryId)
{
    public const string OpenType = "content_open";

    public const string ClickType = "content_click";
}
