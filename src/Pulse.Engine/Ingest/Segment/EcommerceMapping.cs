namespace Pulse.Ingest.Segment;

/// <summary>What a track call's event name becomes: a Pulse commerce type (with its fields lifted out of the properties) or a custom type.</summary>
internal enum EcommerceEvent
{
    /// <summary>Any other name: a custom event type, every property kept as a property.</summary>
    None,
    ProductViewed,
    ProductClicked,
    ProductAdded,
    ProductRemoved,
    CheckoutStarted,
    OrderCompleted,
}

/// <summary>
/// Segment event names to Pulse event types. A name is normalised the way Pulse spells types —
/// lower case, every run of other characters one underscore (<c>"Order Completed"</c> →
/// <c>order_completed</c>) — and the names of Segment's e-commerce spec, or the Pulse type itself,
/// select the commerce mapping.
/// </summary>
internal static class EcommerceMapping
{
    public const int MaxTypeLength = 64;

    public const string NoLetters = "field 'event' must contain a letter or digit";
    public const string TooLong = "field 'event' must make a type of at most 64 characters (lower case, words joined by '_')";

    /// <summary>Writes the Pulse type of <paramref name="name"/> into <paramref name="type"/>; false when it has none or it is too long.</summary>
    public static bool TryNormalize(ReadOnlySpan<byte> name, Span<byte> type, out int length, out string? error)
    {
        length = 0;
        error = null;
        bool pendingSeparator = false;
        foreach (byte b in name)
        {
            byte c = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            {
                if (pendingSeparator && length > 0)
                {
                    if (!Put((byte)'_', type, ref length))
                    {
                        error = TooLong;
                        return false;
                    }
                }

                pendingSeparator = false;
                if (!Put(c, type, ref length))
                {
                    error = TooLong;
                    return false;
                }
            }
            else
            {
                // '_' and everything else (spaces, punctuation, non-ASCII bytes) separates words.
                pendingSeparator = true;
            }
        }

        if (length == 0)
        {
            error = NoLetters;
            return false;
        }

        return true;
    }

    /// <summary>The commerce mapping of a normalised type; <paramref name="pulseType"/> is the Pulse type it becomes (empty for <see cref="EcommerceEvent.None"/>).</summary>
    public static EcommerceEvent Classify(ReadOnlySpan<byte> type, out ReadOnlySpan<byte> pulseType)
    {
        if (type.SequenceEqual("product_viewed"u8) || type.SequenceEqual("page_view"u8))
        {
            pulseType = "page_view"u8;
            return EcommerceEvent.ProductViewed;
        }

        if (type.SequenceEqual("product_clicked"u8) || type.SequenceEqual("click"u8))
        {
            pulseType = "click"u8;
            return EcommerceEvent.ProductClicked;
        }

        if (type.SequenceEqual("product_added"u8) || type.SequenceEqual("add_to_cart"u8))
        {
            pulseType = "add_to_cart"u8;
            return EcommerceEvent.ProductAdded;
        }

        if (type.SequenceEqual("product_removed"u8) || type.SequenceEqual("remove_from_cart"u8))
        {
            pulseType = "remove_from_cart"u8;
            return EcommerceEvent.ProductRemoved;
        }

        if (type.SequenceEqual("checkout_started"u8) || type.SequenceEqual("checkout"u8))
        {
            pulseType = "checkout"u8;
            return EcommerceEvent.CheckoutStarted;
        }

        if (type.SequenceEqual("order_completed"u8) || type.SequenceEqual("purchase"u8))
        {
            pulseType = "purchase"u8;
            return EcommerceEvent.OrderCompleted;
        }

        pulseType = default;
        return EcommerceEvent.None;
    }

    private static bool Put(byte c, Span<byte> type, ref int length)
    {
        if (length == MaxTypeLength || length == type.Length)
        {
            return false;
        }

        type[length++] = c;
        return true;
    }
}
