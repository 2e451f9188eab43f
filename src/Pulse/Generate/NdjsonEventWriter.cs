using System.Text;
using Pulse.Events;

namespace Pulse.Generate;

/// <summary>
/// Writes a <see cref="GeneratedEvent"/> as one NDJSON line in the contract's field names, by hand
/// into a caller's buffer: every string is ASCII from fixed tables, so nothing needs escaping and the
/// writer keeps up with more than a million events per second per core.
/// </summary>
internal sealed class NdjsonEventWriter
{
    /// <summary>An upper bound of one line; callers keep at least this much free space.</summary>
    public const int MaxLineBytes = 1024;

    private static readonly byte[][] SearchTerms = ToUtf8(
    [
        "shoes", "headphones", "laptop", "coffee", "jacket", "lamp", "phone case", "backpack",
        "watch", "yoga mat", "novel", "sneakers", "charger", "blender", "desk", "gift",
    ]);

    private static readonly byte[][] ClickElements = ToUtf8(["product_card", "nav", "banner", "recommendation", "filter", "breadcrumb"]);
    private static readonly byte[][] Countries = ToUtf8(UserPopulation.CountryCodes);
    private static readonly byte[][] Devices = ToUtf8(UserPopulation.DeviceNames);

    private readonly byte[] _seedPrefix;
    private readonly byte[][] _categories;
    private readonly UserPopulation _users;

    public NdjsonEventWriter(long seed, UserPopulation users, ProductCatalog catalog)
    {
        _seedPrefix = Encoding.UTF8.GetBytes(seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-");
        _categories = catalog.CategoryUtf8;
        _users = users;
    }

    /// <summary>Writes the line (with its trailing newline) and returns its length.</summary>
    public int Write(in GeneratedEvent e, Span<byte> destination)
    {
        var w = new Utf8Cursor(destination);
        w.Literal("{\"event_id\":\""u8);
        w.Literal(_seedPrefix);
        w.Integer(e.Sequence);
        w.Literal("\",\"type\":\""u8);
        w.Literal(TypeName(e.Kind));
        if (e.TimestampAsText)
        {
            w.Literal("\",\"timestamp\":\""u8);
            w.Rfc3339(e.TimestampMs);
            w.Literal("\","u8);
        }
        else
        {
            w.Literal("\",\"timestamp\":"u8);
            w.Integer(e.TimestampMs);
            w.Literal(","u8);
        }

        w.Literal(_users.IsAnonymous(e.User) ? "\"anonymous_id\":\"a-"u8 : "\"user_id\":\"u-"u8);
        w.Integer(e.User + 1L);
        w.Literal("\",\"session_id\":\""u8);
        w.Literal(_seedPrefix);
        w.Literal("s"u8);
        w.Integer(e.Session);
        w.Literal("\",\"country\":\""u8);
        w.Literal(Countries[_users.CountryOf(e.User)]);
        w.Literal("\",\"device\":\""u8);
        w.Literal(Devices[_users.DeviceOf(e.User)]);
        w.Literal("\""u8);
        WritePage(ref w, e);
        if (e.Product >= 0)
        {
            w.Literal(",\"product_id\":\"p"u8);
            w.Integer(e.Product + 1L);
            w.Literal("\""u8);
        }

        WriteCommerce(ref w, e);
        w.Literal("}\n"u8);
        return w.Position;
    }

    private void WritePage(ref Utf8Cursor w, in GeneratedEvent e)
    {
        switch (e.Page)
        {
            case PageKind.Home:
                w.Literal(",\"page\":\"/\""u8);
                break;
            case PageKind.Category:
                w.Literal(",\"page\":\"/category/"u8);
                w.Literal(_categories[e.Category]);
                w.Literal("\""u8);
                break;
            case PageKind.Product:
                w.Literal(",\"page\":\"/product/p"u8);
                w.Integer(e.Product + 1L);
                w.Literal("\""u8);
                break;
            case PageKind.Search:
                w.Literal(",\"page\":\"/search\""u8);
                break;
            case PageKind.Cart:
                w.Literal(",\"page\":\"/cart\""u8);
                break;
            case PageKind.Checkout:
                w.Literal(",\"page\":\"/checkout\""u8);
                break;
            case PageKind.OrderComplete:
                w.Literal(",\"page\":\"/checkout/complete\""u8);
                break;
            default:
                break;
        }
    }

    private void WriteCommerce(ref Utf8Cursor w, in GeneratedEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.AddToCart:
            case EventKind.RemoveFromCart:
                w.Literal(",\"price\":"u8);
                w.Money(e.PriceCents);
                w.Literal(",\"quantity\":"u8);
                w.Integer(e.Quantity);
                w.Literal(",\"currency\":\"EUR\""u8);
                break;
            case EventKind.Checkout:
                w.Literal(",\"currency\":\"EUR\",\"properties\":{\"items\":"u8);
                w.Integer(e.Items);
                w.Literal(",\"cart_value\":"u8);
                w.Money(e.RevenueCents);
                w.Literal("}"u8);
                break;
            case EventKind.Purchase:
                w.Literal(",\"order_id\":\""u8);
                w.Literal(_seedPrefix);
                w.Literal("o"u8);
                w.Integer(e.Order);
                w.Literal("\",\"revenue\":"u8);
                w.Money(e.RevenueCents);
                w.Literal(",\"currency\":\"EUR\",\"properties\":{\"items\":"u8);
                w.Integer(e.Items);
                w.Literal("}"u8);
                break;
            case EventKind.Click:
                w.Literal(",\"properties\":{\"element\":\""u8);
                w.Literal(ClickElements[e.Detail]);
                w.Literal("\"}"u8);
                break;
            case EventKind.PageView when e.Page == PageKind.Search:
                w.Literal(",\"properties\":{\"query\":\""u8);
                w.Literal(SearchTerms[e.Detail]);
                w.Literal("\"}"u8);
                break;
            default:
                break;
        }
    }

    internal static ReadOnlySpan<byte> TypeName(EventKind kind) => kind switch
    {
        EventKind.PageView => "page_view"u8,
        EventKind.Click => "click"u8,
        EventKind.AddToCart => "add_to_cart"u8,
        EventKind.RemoveFromCart => "remove_from_cart"u8,
        EventKind.Checkout => "checkout"u8,
        EventKind.Purchase => "purchase"u8,
        EventKind.SessionStart => "session_start"u8,
        EventKind.SessionEnd => "session_end"u8,
        _ => "custom"u8,
    };

    private static byte[][] ToUtf8(string[] values)
    {
        var result = new byte[values.Length][];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = Encoding.UTF8.GetBytes(values[i]);
        }

        return result;
    }
}
