using Pulse.Events;

namespace Pulse.Ingest;

/// <summary>A string field's limits and its rejection messages, built once so a rejection allocates nothing.</summary>
internal sealed class StringFieldSpec
{
    private StringFieldSpec(string name, EventField target, int maxBytes, bool nonEmpty)
    {
        Target = target;
        MaxBytes = maxBytes;
        NonEmpty = nonEmpty;
        WrongType = $"field '{name}' must be a string";
        TooLong = $"field '{name}' must be at most {maxBytes} bytes";
        InvalidText = $"field '{name}' is not valid UTF-8";
        Empty = $"field '{name}' must not be empty";
    }

    public static StringFieldSpec EventId { get; } = new("event_id", EventField.EventId, 128, nonEmpty: true);
    public static StringFieldSpec Type { get; } = new("type", EventField.Type, 64, nonEmpty: true);
    public static StringFieldSpec UserId { get; } = new("user_id", EventField.User, 256, nonEmpty: true);
    public static StringFieldSpec AnonymousId { get; } = new("anonymous_id", EventField.User, 256, nonEmpty: true);
    public static StringFieldSpec SessionId { get; } = new("session_id", EventField.SessionId, 256, nonEmpty: false);
    public static StringFieldSpec Page { get; } = new("page", EventField.Page, 2048, nonEmpty: false);
    public static StringFieldSpec Url { get; } = new("url", EventField.Url, 2048, nonEmpty: false);
    public static StringFieldSpec Referrer { get; } = new("referrer", EventField.Referrer, 2048, nonEmpty: false);
    public static StringFieldSpec ProductId { get; } = new("product_id", EventField.ProductId, 256, nonEmpty: false);
    public static StringFieldSpec Currency { get; } = new("currency", EventField.Currency, 3, nonEmpty: false);
    public static StringFieldSpec OrderId { get; } = new("order_id", EventField.OrderId, 256, nonEmpty: false);
    public static StringFieldSpec Country { get; } = new("country", EventField.Country, 64, nonEmpty: false);
    public static StringFieldSpec Device { get; } = new("device", EventField.Device, 64, nonEmpty: false);

    public EventField Target { get; }
    public int MaxBytes { get; }
    public bool NonEmpty { get; }
    public string WrongType { get; }
    public string TooLong { get; }
    public string InvalidText { get; }
    public string Empty { get; }
}
