namespace Pulse.Generate;

/// <summary>One live session: who, where they are, and the cart. Reused for the next session in its slot.</summary>
internal sealed class SessionState
{
    public const int MaxCartLines = 8;

    public readonly int[] CartProduct = new int[MaxCartLines];
    public readonly int[] CartPriceCents = new int[MaxCartLines];
    public readonly int[] CartQuantity = new int[MaxCartLines];

    public int User = -1;
    public long Session;
    public SessionStep Next = SessionStep.Done;
    public PageKind Page;
    public int Product = -1;
    public int Category = -1;
    public int PageViews;
    public int CartLines;

    /// <summary>Where the last click leads, so the page view after a click lands on what was clicked.</summary>
    public PageKind ClickDestination;
    public int ClickProduct = -1;
    public int ClickCategory = -1;

    public void Begin(int user, long session)
    {
        User = user;
        Session = session;
        Next = SessionStep.Start;
        Page = PageKind.None;
        Product = -1;
        Category = -1;
        PageViews = 0;
        CartLines = 0;
        ClickDestination = PageKind.None;
    }

    public long CartValueCents()
    {
        long total = 0;
        for (int i = 0; i < CartLines; i++)
        {
            total += (long)CartPriceCents[i] * CartQuantity[i];
        }

        return total;
    }

    public int CartItems()
    {
        int items = 0;
        for (int i = 0; i < CartLines; i++)
        {
            items += CartQuantity[i];
        }

        return items;
    }

    /// <summary>Adds a product, merging with an existing line of the same product. Returns false when the cart is full.</summary>
    public bool AddToCart(int product, int priceCents, int quantity)
    {
        for (int i = 0; i < CartLines; i++)
        {
            if (CartProduct[i] == product)
            {
                CartQuantity[i] += quantity;
                return true;
            }
        }

        if (CartLines == MaxCartLines)
        {
            return false;
        }

        CartProduct[CartLines] = product;
        CartPriceCents[CartLines] = priceCents;
        CartQuantity[CartLines] = quantity;
        CartLines++;
        return true;
    }

    public void RemoveLine(int line)
    {
        CartLines--;
        CartProduct[line] = CartProduct[CartLines];
        CartPriceCents[line] = CartPriceCents[CartLines];
        CartQuantity[line] = CartQuantity[CartLines];
    }
}
