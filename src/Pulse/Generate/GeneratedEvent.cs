using Pulse.Events;

namespace Pulse.Generate;

/// <summary>
/// One synthetic event before it is written: numbers only (indexes into users, products, categories),
/// so generating it allocates nothing and the writer turns it into UTF-8 in one pass.
/// </summary>
internal struct GeneratedEvent
{
    public long Sequence;
    public long TimestampMs;
    public long Session;
    public long Order;
    public long RevenueCents;
    public int User;
    public int Product;
    public int Category;
    public int PriceCents;
    public int Quantity;
    public int Items;
    public int Detail;
    public EventKind Kind;
    public PageKind Page;
    public bool TimestampAsText;

    public void Clear(EventKind kind, PageKind page)
    {
        Kind = kind;
        Page = page;
        Product = -1;
        Category = -1;
        Order = -1;
        PriceCents = 0;
        Quantity = 0;
        RevenueCents = 0;
        Items = 0;
        Detail = 0;
    }
}
