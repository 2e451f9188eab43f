using System.Text.Json;
using Pulse.Events;

namespace Pulse.Ingest;

public static partial class EventParser
{
    /// <summary>
    /// Reads the event object the reader is on, to its closing brace, whatever it contains: the
    /// first problem found is the event's rejection, and the rest of the object is only skipped.
    /// On success the event's strings sit in <paramref name="scratch"/>, addressed by <paramref name="fields"/>.
    /// </summary>
    private static string? ReadEvent(ref Utf8JsonReader reader, long arrivalTimeMs, IngestLimits limits, ScratchBuffer scratch, scoped Span<FieldSlice> fields, out EventHeader header)
    {
        header = default;
        scratch.Clear();
        fields.Clear();
        int eventDepth = reader.CurrentDepth;
        int valueDepth = eventDepth + 1;
        var state = new EventState { Quantity = 1 };
        string? error = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            KnownField field = error is null ? MatchKey(ref reader, scratch, ref error) : KnownField.None;
            reader.Read();
            if (error is null)
            {
                if (field == KnownField.None)
                {
                    if (reader.TokenType == JsonTokenType.String && !IsValidText(ref reader, scratch))
                    {
                        error = IngestMessages.InvalidUnknownValue;
                    }
                }
                else if ((state.Seen & field) != 0)
                {
                    error = IngestMessages.Duplicate(field);
                }
                else
                {
                    state.Seen |= field;
                    error = ReadField(field, ref reader, ref state, limits, scratch, fields);
                }
            }

            FinishValue(ref reader, valueDepth, eventDepth, limits, scratch, ref error);
        }

        return error ?? Complete(ref state, arrivalTimeMs, limits, scratch, fields, out header);
    }

    private static KnownField MatchKey(ref Utf8JsonReader reader, ScratchBuffer scratch, ref string? error)
    {
        if (!reader.ValueIsEscaped)
        {
            KnownField known = KnownFields.Match(reader.ValueSpan);
            if (known == KnownField.None && !System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
            {
                error = IngestMessages.InvalidKey;
            }

            return known;
        }

        if (!TryUnescape(ref reader, scratch, out int length))
        {
            error = IngestMessages.InvalidKey;
            return KnownField.None;
        }

        return KnownFields.Match(scratch.GetSpan(0)[..length]);
    }

    private static string? ReadField(KnownField field, ref Utf8JsonReader reader, ref EventState state, IngestLimits limits, ScratchBuffer scratch, scoped Span<FieldSlice> fields) => field switch
    {
        KnownField.EventId => ReadInto(ref reader, ref state, field, scratch, StringFieldSpec.EventId, fields),
        KnownField.Type => ReadType(ref reader, ref state, scratch, fields),
        KnownField.Timestamp => ReadTimestamp(ref reader, ref state, scratch),
        KnownField.UserId => ReadUser(ref reader, ref state, field, scratch, StringFieldSpec.UserId, ref state.UserId),
        KnownField.AnonymousId => ReadUser(ref reader, ref state, field, scratch, StringFieldSpec.AnonymousId, ref state.AnonymousId),
        KnownField.SessionId => ReadInto(ref reader, ref state, field, scratch, StringFieldSpec.SessionId, fields),
        KnownField.Page => ReadInto(ref reader, ref state, field, scratch, StringFieldSpec.Page, fields),
        KnownField.Url => ReadInto(ref reader, ref state, field, scratch, StringFieldSpec.Url, fields),
        KnownField.Referrer => ReadInto(ref reader, ref state, field, scratch, StringFieldSpec.Referrer, fields),
        KnownField.ProductId => ReadInto(ref reader, ref state, field, scratch, StringFieldSpec.ProductId, fields),
        KnownField.Price => ReadMoney(ref reader, ref state, field, ref state.PriceMicros, IngestMessages.PriceInvalid, IngestMessages.PriceTooLarge),
        KnownField.Quantity => ReadQuantity(ref reader, ref state),
        KnownField.Revenue => ReadMoney(ref reader, ref state, field, ref state.RevenueMicros, IngestMessages.RevenueInvalid, IngestMessages.RevenueTooLarge),
        KnownField.Currency => ReadCurrency(ref reader, ref state, scratch, fields),
        KnownField.OrderId => ReadInto(ref reader, ref state, field, scratch, StringFieldSpec.OrderId, fields),
        KnownField.Country => ReadInto(ref reader, ref state, field, scratch, StringFieldSpec.Country, fields),
        KnownField.Device => ReadInto(ref reader, ref state, field, scratch, StringFieldSpec.Device, fields),
        KnownField.Properties => ReadProperties(ref reader, ref state, limits, scratch, fields),
        _ => null,
    };

    private static string? ReadInto(ref Utf8JsonReader reader, ref EventState state, KnownField field, ScratchBuffer scratch, StringFieldSpec spec, scoped Span<FieldSlice> fields)
    {
        string? error = ReadString(ref reader, scratch, spec, out FieldSlice slice, out bool present);
        if (present)
        {
            fields[(int)spec.Target] = slice;
            state.Present |= field;
        }

        return error;
    }

    private static string? ReadUser(ref Utf8JsonReader reader, ref EventState state, KnownField field, ScratchBuffer scratch, StringFieldSpec spec, ref FieldSlice target)
    {
        string? error = ReadString(ref reader, scratch, spec, out FieldSlice slice, out bool present);
        if (present)
        {
            target = slice;
            state.Present |= field;
        }

        return error;
    }

    private static string? ReadType(ref Utf8JsonReader reader, ref EventState state, ScratchBuffer scratch, scoped Span<FieldSlice> fields)
    {
        string? error = ReadInto(ref reader, ref state, KnownField.Type, scratch, StringFieldSpec.Type, fields);
        if (error is null && state.Has(KnownField.Type))
        {
            FieldSlice slice = fields[(int)EventField.Type];
            ReadOnlySpan<byte> name = scratch.Written.Slice(slice.Start, slice.Length);
            for (int i = 0; i < name.Length; i++)
            {
                byte b = name[i];
                if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_'))
                {
                    return IngestMessages.TypePattern;
                }
            }
        }

        return error;
    }

    private static string? ReadCurrency(ref Utf8JsonReader reader, ref EventState state, ScratchBuffer scratch, scoped Span<FieldSlice> fields)
    {
        string? error = ReadInto(ref reader, ref state, KnownField.Currency, scratch, StringFieldSpec.Currency, fields);
        if (error == StringFieldSpec.Currency.TooLong)
        {
            return IngestMessages.CurrencyShape;
        }

        if (error is null && state.Has(KnownField.Currency))
        {
            FieldSlice slice = fields[(int)EventField.Currency];
            ReadOnlySpan<byte> code = scratch.Written.Slice(slice.Start, slice.Length);
            if (code.Length != 3 || !IsUpper(code[0]) || !IsUpper(code[1]) || !IsUpper(code[2]))
            {
                return IngestMessages.CurrencyShape;
            }
        }

        return error;

        static bool IsUpper(byte b) => b >= 'A' && b <= 'Z';
    }

    private static string? ReadTimestamp(ref Utf8JsonReader reader, ref EventState state, ScratchBuffer scratch)
    {
        long epochMs;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (!reader.TryGetInt64(out epochMs))
                {
                    return IngestMessages.TimestampFormat;
                }

                break;
            case JsonTokenType.String:
                if (reader.ValueSpan.Length > 64 || !TryUnescape(ref reader, scratch, out int length)
                    || !Rfc3339.TryParse(scratch.GetSpan(0)[..length], out epochMs))
                {
                    return IngestMessages.TimestampFormat;
                }

                break;
            default:
                return IngestMessages.TimestampFormat;
        }

        if (epochMs < 0)
        {
            return IngestMessages.TimestampNegative;
        }

        state.EventTimeMs = epochMs;
        state.Present |= KnownField.Timestamp;
        return null;
    }

    private static string? ReadMoney(ref Utf8JsonReader reader, ref EventState state, KnownField field, ref long micros, string invalid, string tooLarge)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out decimal amount))
        {
            // A JSON number too large for decimal fails TryGetDecimal; a negative one must say so.
            return reader.TokenType == JsonTokenType.Number && reader.ValueSpan[0] != '-' ? tooLarge : invalid;
        }

        if (amount < 0m)
        {
            return invalid;
        }

        if (!Money.TryToMicros(amount, out micros))
        {
            return tooLarge;
        }

        state.Present |= field;
        return null;
    }

    private static string? ReadQuantity(ref Utf8JsonReader reader, ref EventState state)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int quantity) || quantity < 1)
        {
            return IngestMessages.QuantityInvalid;
        }

        state.Quantity = quantity;
        state.Present |= KnownField.Quantity;
        return null;
    }

    /// <summary>Whole-event rules (required fields, time window, derived revenue) and the header.</summary>
    private static string? Complete(ref EventState state, long arrivalTimeMs, IngestLimits limits, ScratchBuffer scratch, scoped Span<FieldSlice> fields, out EventHeader header)
    {
        header = default;
        if (!state.Has(KnownField.Type))
        {
            return IngestMessages.MissingType;
        }

        EventFlags flags = EventFlags.None;
        if (state.Has(KnownField.UserId))
        {
            fields[(int)EventField.User] = state.UserId;
        }
        else if (state.Has(KnownField.AnonymousId))
        {
            fields[(int)EventField.User] = state.AnonymousId;
            flags |= EventFlags.AnonymousUser;
        }
        else
        {
            return IngestMessages.MissingUser;
        }

        long eventTimeMs = state.Has(KnownField.Timestamp) ? state.EventTimeMs : arrivalTimeMs;
        if (eventTimeMs - arrivalTimeMs > limits.MaxFutureSkewMs)
        {
            return limits.FutureTimestampError;
        }

        if (arrivalTimeMs - eventTimeMs > limits.MaxPastAgeMs)
        {
            return limits.PastTimestampError;
        }

        ReadOnlySpan<byte> source = scratch.Written;
        EventKind kind = EventKinds.FromName(Slice(source, fields, EventField.Type));
        long revenueMicros = 0;
        if (kind == EventKind.Purchase)
        {
            if (state.Has(KnownField.Revenue))
            {
                revenueMicros = state.RevenueMicros;
                flags |= EventFlags.HasRevenue;
            }
            else if (state.Has(KnownField.Price) && !Money.TryMultiply(state.PriceMicros, state.Quantity, out revenueMicros))
            {
                return IngestMessages.RevenueOverflow;
            }
        }

        ulong eventIdHash;
        if (state.Has(KnownField.EventId))
        {
            eventIdHash = Hash64.Compute(Slice(source, fields, EventField.EventId));
        }
        else
        {
            eventIdHash = GeneratedEventIds.Next();
            flags |= EventFlags.GeneratedEventId;
        }

        if (state.Has(KnownField.Price))
        {
            flags |= EventFlags.HasPrice;
        }

        header = new EventHeader
        {
            EventTimeMs = eventTimeMs,
            ArrivalTimeMs = arrivalTimeMs,
            EventIdHash = eventIdHash,
            UserHash = Hash64.Compute(Slice(source, fields, EventField.User)),
            RevenueMicros = revenueMicros,
            PriceMicros = state.Has(KnownField.Price) ? state.PriceMicros : 0,
            Quantity = state.Quantity,
            Kind = kind,
            Flags = flags,
        };
        return null;
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> source, ReadOnlySpan<FieldSlice> fields, EventField field)
    {
        FieldSlice slice = fields[(int)field];
        return source.Slice(slice.Start, slice.Length);
    }
}
