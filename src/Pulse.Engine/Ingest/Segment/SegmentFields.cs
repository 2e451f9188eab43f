namespace Pulse.Ingest.Segment;

/// <summary>The top-level fields of one Segment call that the translator reads; the rest (integrations, _metadata, ...) are ignored.</summary>
internal struct MessageFields
{
    public RawValue Type;
    public RawValue Event;
    public RawValue Name;
    public RawValue Category;
    public RawValue UserId;
    public RawValue AnonymousId;
    public RawValue MessageId;
    public RawValue Timestamp;
    public RawValue OriginalTimestamp;
    public RawValue SentAt;
    public RawValue Properties;
    public RawValue Traits;
    public RawValue Context;
    public RawValue GroupId;
    public RawValue PreviousId;

    /// <summary>Files <paramref name="value"/> under its key; a repeated key keeps the last value, as JavaScript does.</summary>
    public void Set(ReadOnlySpan<byte> key, RawValue value)
    {
        switch (key.Length)
        {
            case 4 when key.SequenceEqual("type"u8):
                Type = value;
                break;
            case 4 when key.SequenceEqual("name"u8):
                Name = value;
                break;
            case 5 when key.SequenceEqual("event"u8):
                Event = value;
                break;
            case 6 when key.SequenceEqual("userId"u8):
                UserId = value;
                break;
            case 6 when key.SequenceEqual("traits"u8):
                Traits = value;
                break;
            case 6 when key.SequenceEqual("sentAt"u8):
                SentAt = value;
                break;
            case 7 when key.SequenceEqual("context"u8):
                Context = value;
                break;
            case 7 when key.SequenceEqual("groupId"u8):
                GroupId = value;
                break;
            case 8 when key.SequenceEqual("category"u8):
                Category = value;
                break;
            case 9 when key.SequenceEqual("messageId"u8):
                MessageId = value;
                break;
            case 9 when key.SequenceEqual("timestamp"u8):
                Timestamp = value;
                break;
            case 10 when key.SequenceEqual("properties"u8):
                Properties = value;
                break;
            case 10 when key.SequenceEqual("previousId"u8):
                PreviousId = value;
                break;
            case 11 when key.SequenceEqual("anonymousId"u8):
                AnonymousId = value;
                break;
            case 17 when key.SequenceEqual("originalTimestamp"u8):
                OriginalTimestamp = value;
                break;
            default:
                break;
        }
    }
}

/// <summary>What the translator takes from a call's <c>context</c> (or the batch's, for what the call's lacks).</summary>
internal struct ContextFields
{
    public RawValue PagePath;
    public RawValue PageUrl;
    public RawValue PageReferrer;
    public RawValue Country;
    public RawValue Device;
    public RawValue Traits;

    public readonly ContextFields Or(in ContextFields fallback) => new()
    {
        PagePath = PagePath.IsSet ? PagePath : fallback.PagePath,
        PageUrl = PageUrl.IsSet ? PageUrl : fallback.PageUrl,
        PageReferrer = PageReferrer.IsSet ? PageReferrer : fallback.PageReferrer,
        Country = Country.IsSet ? Country : fallback.Country,
        Device = Device.IsSet ? Device : fallback.Device,
        Traits = Traits.IsSet ? Traits : fallback.Traits,
    };
}

/// <summary>Top-level keys of <c>properties</c> that can become Pulse fields; a lifted one is left out of the event's properties.</summary>
[Flags]
internal enum PropertyKey
{
    None = 0,
    Path = 1 << 0,
    Url = 1 << 1,
    Referrer = 1 << 2,
    ProductId = 1 << 3,
    Sku = 1 << 4,
    Price = 1 << 5,
    Quantity = 1 << 6,
    Currency = 1 << 7,
    OrderId = 1 << 8,
    Revenue = 1 << 9,
    Total = 1 << 10,
    Value = 1 << 11,
    Products = 1 << 12,
    Name = 1 << 13,
    Category = 1 << 14,
    Items = 1 << 15,
    GroupId = 1 << 16,
    PreviousId = 1 << 17,
}

/// <summary>The candidates for lifting found at the top of a call's <c>properties</c>.</summary>
internal struct PropertyFields
{
    public RawValue Path;
    public RawValue Url;
    public RawValue Referrer;
    public RawValue ProductId;
    public RawValue Sku;
    public RawValue Price;
    public RawValue Quantity;
    public RawValue Currency;
    public RawValue OrderId;
    public RawValue Revenue;
    public RawValue Total;
    public RawValue Value;
    public RawValue Products;

    public static PropertyKey Match(ReadOnlySpan<byte> key) => key.Length switch
    {
        3 when key.SequenceEqual("url"u8) => PropertyKey.Url,
        3 when key.SequenceEqual("sku"u8) => PropertyKey.Sku,
        4 when key.SequenceEqual("path"u8) => PropertyKey.Path,
        4 when key.SequenceEqual("name"u8) => PropertyKey.Name,
        5 when key.SequenceEqual("price"u8) => PropertyKey.Price,
        5 when key.SequenceEqual("total"u8) => PropertyKey.Total,
        5 when key.SequenceEqual("value"u8) => PropertyKey.Value,
        5 when key.SequenceEqual("items"u8) => PropertyKey.Items,
        7 when key.SequenceEqual("revenue"u8) => PropertyKey.Revenue,
        8 when key.SequenceEqual("referrer"u8) => PropertyKey.Referrer,
        8 when key.SequenceEqual("quantity"u8) => PropertyKey.Quantity,
        8 when key.SequenceEqual("currency"u8) => PropertyKey.Currency,
        8 when key.SequenceEqual("order_id"u8) => PropertyKey.OrderId,
        8 when key.SequenceEqual("products"u8) => PropertyKey.Products,
        8 when key.SequenceEqual("category"u8) => PropertyKey.Category,
        8 when key.SequenceEqual("group_id"u8) => PropertyKey.GroupId,
        10 when key.SequenceEqual("product_id"u8) => PropertyKey.ProductId,
        11 when key.SequenceEqual("previous_id"u8) => PropertyKey.PreviousId,
        _ => PropertyKey.None,
    };

    public void Set(PropertyKey key, RawValue value)
    {
        switch (key)
        {
            case PropertyKey.Path: Path = value; break;
            case PropertyKey.Url: Url = value; break;
            case PropertyKey.Referrer: Referrer = value; break;
            case PropertyKey.ProductId: ProductId = value; break;
            case PropertyKey.Sku: Sku = value; break;
            case PropertyKey.Price: Price = value; break;
            case PropertyKey.Quantity: Quantity = value; break;
            case PropertyKey.Currency: Currency = value; break;
            case PropertyKey.OrderId: OrderId = value; break;
            case PropertyKey.Revenue: Revenue = value; break;
            case PropertyKey.Total: Total = value; break;
            case PropertyKey.Value: Value = value; break;
            case PropertyKey.Products: Products = value; break;
            default: break;
        }
    }
}

/// <summary>A summary of <c>products[]</c>: the order's item count, its value when the lines have prices, and its product when it has one line.</summary>
internal struct ProductLines
{
    public int Lines;
    public long Items;
    public decimal Revenue;
    public bool HasRevenue;
    public RawValue OnlyProductId;
}
