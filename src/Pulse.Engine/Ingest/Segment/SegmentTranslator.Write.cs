using System.Text.Json;
using System.Text.Unicode;

namespace Pulse.Ingest.Segment;

public static partial class SegmentTranslator
{
    /// <summary>Writes one Pulse event for a call; returns its rejection instead when it cannot be translated.</summary>
    private static string? WriteEvent(ReadOnlySpan<byte> body, in MessageFields m, SegmentMessageType type, ref CallScope scope, Utf8JsonWriter w)
    {
        string? error = CheckIdentity(m);
        if (error is not null)
        {
            return error;
        }

        error = ResolveTime(body, m, scope.BatchSentAt, scope.ArrivalTimeMs, out long eventTimeMs, out bool hasTime);
        if (error is not null)
        {
            return error;
        }

        Span<byte> typeBuffer = stackalloc byte[EcommerceMapping.MaxTypeLength];
        EcommerceEvent commerce = EcommerceEvent.None;
        scoped ReadOnlySpan<byte> pulseType;
        switch (type)
        {
            case SegmentMessageType.Track:
                error = TrackType(body, m.Event, typeBuffer, out pulseType, out commerce);
                if (error is not null)
                {
                    return error;
                }

                break;
            case SegmentMessageType.Page or SegmentMessageType.Screen:
                pulseType = "page_view"u8;
                break;
            case SegmentMessageType.Identify:
                pulseType = "identify"u8;
                break;
            case SegmentMessageType.Group:
                pulseType = "group"u8;
                break;
            default:
                pulseType = "alias"u8;
                break;
        }

        ContextFields context = ScanContext(body, m.Context).Or(scope.BatchContext);
        bool usesTraits = type is SegmentMessageType.Identify or SegmentMessageType.Group;
        RawValue source = type == SegmentMessageType.Alias ? default
            : usesTraits ? (m.Traits.IsSet ? m.Traits : context.Traits)
            : m.Properties;
        if (source.IsSet && !source.IsObject)
        {
            return usesTraits ? SegmentMessages.TraitsNotObject : IngestMessages.PropertiesNotObject;
        }

        PropertyFields p = ScanProperties(body, source);
        var lines = default(ProductLines);
        if (commerce is EcommerceEvent.CheckoutStarted or EcommerceEvent.OrderCompleted)
        {
            error = ScanProducts(body, p.Products, out lines);
            if (error is not null)
            {
                return error;
            }
        }

        w.WriteStartObject();
        if (m.MessageId.IsSet)
        {
            WriteText(w, "event_id"u8, body, m.MessageId);
        }

        w.WriteString("type"u8, pulseType);
        if (hasTime)
        {
            w.WriteNumber("timestamp"u8, eventTimeMs);
        }

        if (m.UserId.IsIdentifier)
        {
            WriteText(w, "user_id"u8, body, m.UserId);
        }

        if (m.AnonymousId.IsIdentifier)
        {
            WriteText(w, "anonymous_id"u8, body, m.AnonymousId);
        }

        PropertyKey lifted = WritePage(w, body, m, type, context, p);
        WriteString(w, "country"u8, body, context.Country);
        WriteString(w, "device"u8, body, context.Device);
        lifted |= WriteCommerce(w, body, commerce, p, lines);

        w.WriteStartObject("properties"u8);
        lifted |= WriteExtras(w, body, m, type, commerce, lines);
        if (source.IsObject)
        {
            error = WriteProperties(w, body, source, lifted, scope.Limits);
            if (error is not null)
            {
                return error;
            }
        }

        w.WriteEndObject();
        w.WriteEndObject();
        return null;
    }

    private static string? CheckIdentity(in MessageFields m)
    {
        if (m.UserId.IsSet && !m.UserId.IsString && !m.UserId.IsNumber)
        {
            return SegmentMessages.UserIdType;
        }

        if (m.AnonymousId.IsSet && !m.AnonymousId.IsString && !m.AnonymousId.IsNumber)
        {
            return SegmentMessages.AnonymousIdType;
        }

        if (!m.UserId.IsIdentifier && !m.AnonymousId.IsIdentifier)
        {
            return SegmentMessages.MissingUser;
        }

        return m.MessageId.IsSet && !m.MessageId.IsString && !m.MessageId.IsNumber ? SegmentMessages.MessageIdType : null;
    }

    private static string? TrackType(ReadOnlySpan<byte> body, RawValue name, Span<byte> typeBuffer, out ReadOnlySpan<byte> pulseType, out EcommerceEvent commerce)
    {
        pulseType = default;
        commerce = EcommerceEvent.None;
        if (!name.IsSet)
        {
            return SegmentMessages.MissingEvent;
        }

        Span<byte> text = stackalloc byte[512];
        if (!name.IsString)
        {
            return SegmentMessages.EventType;
        }

        if (!TryText(body, name, text, out ReadOnlySpan<byte> eventName))
        {
            return EcommerceMapping.TooLong;
        }

        if (!EcommerceMapping.TryNormalize(eventName, typeBuffer, out int length, out string? error))
        {
            return error;
        }

        commerce = EcommerceMapping.Classify(typeBuffer[..length], out ReadOnlySpan<byte> mapped);
        pulseType = commerce == EcommerceEvent.None ? typeBuffer[..length] : mapped;
        return null;
    }

    /// <summary>page, url, referrer: from a page call's properties, else from <c>context.page</c>; a screen's name is its page.</summary>
    private static PropertyKey WritePage(Utf8JsonWriter w, ReadOnlySpan<byte> body, in MessageFields m, SegmentMessageType type, in ContextFields context, in PropertyFields p)
    {
        PropertyKey lifted = PropertyKey.None;
        RawValue page = context.PagePath, url = context.PageUrl, referrer = context.PageReferrer;
        if (type == SegmentMessageType.Page)
        {
            Prefer(ref page, p.Path, PropertyKey.Path, ref lifted);
            Prefer(ref url, p.Url, PropertyKey.Url, ref lifted);
            Prefer(ref referrer, p.Referrer, PropertyKey.Referrer, ref lifted);
        }
        else if (type == SegmentMessageType.Screen && m.Name.IsString)
        {
            page = m.Name;
        }

        WriteString(w, "page"u8, body, page);
        WriteString(w, "url"u8, body, url);
        WriteString(w, "referrer"u8, body, referrer);
        return lifted;

        static void Prefer(ref RawValue target, RawValue candidate, PropertyKey key, ref PropertyKey lifted)
        {
            if (candidate.IsString)
            {
                target = candidate;
                lifted |= key;
            }
        }
    }

    /// <summary>The Pulse commerce fields of an e-commerce spec event, lifted out of its properties when they have the right JSON type.</summary>
    private static PropertyKey WriteCommerce(Utf8JsonWriter w, ReadOnlySpan<byte> body, EcommerceEvent commerce, in PropertyFields p, in ProductLines lines)
    {
        PropertyKey lifted = PropertyKey.None;
        switch (commerce)
        {
            case EcommerceEvent.ProductViewed or EcommerceEvent.ProductClicked or EcommerceEvent.ProductAdded or EcommerceEvent.ProductRemoved:
                if (p.ProductId.IsIdentifier)
                {
                    WriteText(w, "product_id"u8, body, p.ProductId);
                    lifted |= PropertyKey.ProductId;
                }
                else if (p.Sku.IsIdentifier)
                {
                    WriteText(w, "product_id"u8, body, p.Sku);
                    lifted |= PropertyKey.Sku;
                }

                lifted |= WriteNumber(w, "price"u8, body, p.Price, PropertyKey.Price);
                lifted |= WriteNumber(w, "quantity"u8, body, p.Quantity, PropertyKey.Quantity);
                lifted |= WriteCurrency(w, body, p.Currency);
                break;
            case EcommerceEvent.CheckoutStarted or EcommerceEvent.OrderCompleted:
                if (p.OrderId.IsIdentifier)
                {
                    WriteText(w, "order_id"u8, body, p.OrderId);
                    lifted |= PropertyKey.OrderId;
                }

                if (lines.OnlyProductId.IsSet)
                {
                    WriteText(w, "product_id"u8, body, lines.OnlyProductId);
                }

                lifted |= WriteCurrency(w, body, p.Currency);
                if (commerce == EcommerceEvent.OrderCompleted)
                {
                    // Segment's revenue excludes shipping and tax; total and value are the fallbacks, then the lines themselves.
                    if (p.Revenue.IsNumber)
                    {
                        lifted |= WriteNumber(w, "revenue"u8, body, p.Revenue, PropertyKey.Revenue);
                    }
                    else if (p.Total.IsNumber)
                    {
                        lifted |= WriteNumber(w, "revenue"u8, body, p.Total, PropertyKey.Total);
                    }
                    else if (p.Value.IsNumber)
                    {
                        lifted |= WriteNumber(w, "revenue"u8, body, p.Value, PropertyKey.Value);
                    }
                    else if (lines.HasRevenue)
                    {
                        w.WriteNumber("revenue"u8, lines.Revenue);
                    }
                }

                break;
            default:
                break;
        }

        return lifted;
    }

    /// <summary>Properties that come from outside <c>properties</c>: a page's name and category, a group's id, an alias's previous id, an order's item count.</summary>
    private static PropertyKey WriteExtras(Utf8JsonWriter w, ReadOnlySpan<byte> body, in MessageFields m, SegmentMessageType type, EcommerceEvent commerce, in ProductLines lines)
    {
        PropertyKey written = PropertyKey.None;
        if (type == SegmentMessageType.Page && m.Name.IsString)
        {
            WriteText(w, "name"u8, body, m.Name);
            written |= PropertyKey.Name;
        }

        if (type is (SegmentMessageType.Page or SegmentMessageType.Screen) && m.Category.IsString)
        {
            WriteText(w, "category"u8, body, m.Category);
            written |= PropertyKey.Category;
        }

        if (type == SegmentMessageType.Group && m.GroupId.IsIdentifier)
        {
            WriteText(w, "group_id"u8, body, m.GroupId);
            written |= PropertyKey.GroupId;
        }

        if (type == SegmentMessageType.Alias && m.PreviousId.IsIdentifier)
        {
            WriteText(w, "previous_id"u8, body, m.PreviousId);
            written |= PropertyKey.PreviousId;
        }

        if (commerce is (EcommerceEvent.CheckoutStarted or EcommerceEvent.OrderCompleted) && lines.Lines > 0)
        {
            w.WriteNumber("items"u8, lines.Items);
            written |= PropertyKey.Items;
        }

        return written;
    }

    /// <summary>
    /// Copies an object's members as flat properties: nested objects become dotted keys
    /// (<c>address.city</c>), nulls and arrays are left out (Pulse properties are strings, numbers and
    /// booleans), and <paramref name="skip"/> names the top-level keys already used elsewhere.
    /// </summary>
    private static string? WriteProperties(Utf8JsonWriter w, ReadOnlySpan<byte> body, RawValue obj, PropertyKey skip, IngestLimits limits)
    {
        Span<byte> key = stackalloc byte[1024];
        return WriteMembers(w, body, obj, key, 0, 2, skip, limits);
    }

    private static string? WriteMembers(Utf8JsonWriter w, ReadOnlySpan<byte> body, RawValue obj, Span<byte> key, int prefix, int depth, PropertyKey skip, IngestLimits limits)
    {
        if (depth > limits.MaxDepth)
        {
            return limits.TooDeepError;
        }

        ReadOnlySpan<byte> json = obj.Raw(body);
        var reader = new Utf8JsonReader(json, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string? error = AppendKey(ref reader, key, prefix, out int keyLength);
            if (error is not null)
            {
                return error;
            }

            bool skipped = prefix == 0 && (PropertyFields.Match(key[..keyLength]) & skip) != 0;
            reader.Read();
            if (skipped)
            {
                reader.Skip();
                continue;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    w.WritePropertyName(key[..keyLength]);
                    w.WriteRawValue(json.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2), skipInputValidation: true);
                    break;
                case JsonTokenType.Number:
                    w.WritePropertyName(key[..keyLength]);
                    w.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    w.WriteBoolean(key[..keyLength], reader.TokenType == JsonTokenType.True);
                    break;
                case JsonTokenType.StartObject:
                    RawValue child = RawValue.Capture(ref reader, obj.Start);
                    if (keyLength + 1 > IngestMessages.MaxPropertyKeyBytes)
                    {
                        return IngestMessages.PropertyKeyTooLong;
                    }

                    key[keyLength] = (byte)'.';
                    error = WriteMembers(w, body, child, key, keyLength + 1, depth + 1, skip, limits);
                    if (error is not null)
                    {
                        return error;
                    }

                    break;
                default:
                    // Null, and arrays (skipped whole).
                    reader.Skip();
                    break;
            }
        }

        return null;
    }

    /// <summary>Puts the current property name, unescaped, after the prefix in <paramref name="key"/>.</summary>
    private static string? AppendKey(ref Utf8JsonReader reader, Span<byte> key, int prefix, out int keyLength)
    {
        keyLength = 0;
        ReadOnlySpan<byte> raw = reader.ValueSpan;
        Span<byte> room = key[prefix..];
        if (raw.Length > room.Length)
        {
            // Even unescaped (at most six bytes of escape per byte) this is past the limit.
            return IngestMessages.PropertyKeyTooLong;
        }

        int length;
        if (reader.ValueIsEscaped)
        {
            try
            {
                length = reader.CopyString(room);
            }
            catch (InvalidOperationException)
            {
                return IngestMessages.PropertyKeyInvalid;
            }
        }
        else
        {
            raw.CopyTo(room);
            length = raw.Length;
        }

        keyLength = prefix + length;
        if (keyLength > IngestMessages.MaxPropertyKeyBytes)
        {
            return IngestMessages.PropertyKeyTooLong;
        }

        return Utf8.IsValid(key[..keyLength]) ? null : IngestMessages.PropertyKeyInvalid;
    }

    /// <summary>A string or number value as a Pulse string field (Segment ids may be numbers). Strings are copied as written; the parser checks them.</summary>
    private static void WriteText(Utf8JsonWriter w, ReadOnlySpan<byte> name, ReadOnlySpan<byte> body, RawValue value)
    {
        if (value.IsNumber)
        {
            w.WriteString(name, value.Raw(body));
            return;
        }

        w.WritePropertyName(name);
        w.WriteRawValue(value.Raw(body), skipInputValidation: true);
    }

    private static void WriteString(Utf8JsonWriter w, ReadOnlySpan<byte> name, ReadOnlySpan<byte> body, RawValue value)
    {
        if (value.IsString)
        {
            w.WritePropertyName(name);
            w.WriteRawValue(value.Raw(body), skipInputValidation: true);
        }
    }

    private static PropertyKey WriteNumber(Utf8JsonWriter w, ReadOnlySpan<byte> name, ReadOnlySpan<byte> body, RawValue value, PropertyKey key)
    {
        if (!value.IsNumber)
        {
            return PropertyKey.None;
        }

        w.WritePropertyName(name);
        w.WriteRawValue(value.Raw(body), skipInputValidation: true);
        return key;
    }

    /// <summary>ISO 4217 codes are upper case; Segment clients often send <c>"usd"</c>.</summary>
    private static PropertyKey WriteCurrency(Utf8JsonWriter w, ReadOnlySpan<byte> body, RawValue value)
    {
        if (!value.IsString)
        {
            return PropertyKey.None;
        }

        ReadOnlySpan<byte> raw = value.Raw(body);
        if (raw.Length == 5 && !value.Escaped && System.Text.Ascii.IsValid(raw))
        {
            Span<byte> code = stackalloc byte[3];
            System.Text.Ascii.ToUpper(raw[1..4], code, out _);
            w.WriteString("currency"u8, code);
        }
        else
        {
            w.WritePropertyName("currency"u8);
            w.WriteRawValue(raw, skipInputValidation: true);
        }

        return PropertyKey.Currency;
    }
}
