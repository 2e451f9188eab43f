namespace Pulse.Ingest;

/// <summary>Rejection messages that name no configurable limit, shared so rejecting allocates nothing.</summary>
internal static class IngestMessages
{
    public const string NoEvents = "no events";
    public const string NotAnObject = "event must be a JSON object";
    public const string BodyNotObjectOrArray = "body must be a JSON object or an array of JSON objects";
    public const string MissingType = "missing required field 'type'";
    public const string MissingUser = "missing required field 'user_id' (or 'anonymous_id')";
    public const string TypePattern = "field 'type' must match [a-z0-9_]{1,64}";
    public const string CurrencyShape = "field 'currency' must be a 3-letter uppercase ISO 4217 code, e.g. 'USD'";
    public const string TimestampFormat = "field 'timestamp' must be an RFC 3339 date-time string or an integer of epoch milliseconds";
    public const string TimestampNegative = "field 'timestamp' must not be before 1970-01-01T00:00:00Z";
    public const string PriceInvalid = "field 'price' must be a number >= 0";
    public const string PriceTooLarge = "field 'price' must be at most 1000000000000";
    public const string RevenueInvalid = "field 'revenue' must be a number >= 0";
    public const string RevenueTooLarge = "field 'revenue' must be at most 1000000000000";
    public const string QuantityInvalid = "field 'quantity' must be an integer >= 1";
    public const string RevenueOverflow = "fields 'price' x 'quantity' make a revenue above 1000000000000";
    public const string PropertiesNotObject = "field 'properties' must be an object";
    public const string PropertyKeyTooLong = "field 'properties' has a key longer than 128 bytes";
    public const string PropertyKeyInvalid = "field 'properties' has a key that is not valid UTF-8";
    public const string PropertyValueTooLong = "field 'properties' has a string value longer than 2048 bytes";
    public const string PropertyValueInvalid = "field 'properties' has a string value that is not valid UTF-8";
    public const string PropertyValueType = "field 'properties' values must be strings, numbers or booleans (no objects, arrays or null)";
    public const string InvalidKey = "a field name is not valid UTF-8";
    public const string InvalidUnknownValue = "a string in an unknown field is not valid UTF-8";

    public const int MaxPropertyKeyBytes = 128;
    public const int MaxPropertyValueBytes = 2048;

    public static string Duplicate(KnownField field) => field switch
    {
        KnownField.EventId => "duplicate field 'event_id'",
        KnownField.Type => "duplicate field 'type'",
        KnownField.Timestamp => "duplicate field 'timestamp'",
        KnownField.UserId => "duplicate field 'user_id'",
        KnownField.AnonymousId => "duplicate field 'anonymous_id'",
        KnownField.SessionId => "duplicate field 'session_id'",
        KnownField.Page => "duplicate field 'page'",
        KnownField.Url => "duplicate field 'url'",
        KnownField.Referrer => "duplicate field 'referrer'",
        KnownField.ProductId => "duplicate field 'product_id'",
        KnownField.Price => "duplicate field 'price'",
        KnownField.Quantity => "duplicate field 'quantity'",
        KnownField.Revenue => "duplicate field 'revenue'",
        KnownField.Currency => "duplicate field 'currency'",
        KnownField.OrderId => "duplicate field 'order_id'",
        KnownField.Country => "duplicate field 'country'",
        KnownField.Device => "duplicate field 'device'",
        KnownField.Properties => "duplicate field 'properties'",
        _ => "duplicate field",
    };
}
