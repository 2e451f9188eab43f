using Pulse.Events;

namespace Pulse.Generate;

/// <summary>
/// The shopper's behaviour as a state machine: session_start, page views (home, category, product,
/// search, cart), clicks, cart changes, checkout, then purchase or abandonment, and sometimes an
/// explicit session_end. The transition probabilities give a few percent of sessions a purchase,
/// like real shops.
/// </summary>
internal sealed class SessionMachine
{
    public const int SearchTermCount = 16;
    public const int ClickElementCount = 6;

    private const double ExitAfterPageView = 0.16;
    private const double ClickAfterPageView = 0.30;
    private const double AddToCartOnProductPage = 0.12;
    private const double CheckoutFromCartPage = 0.35;
    private const double RemoveOnCartPage = 0.10;
    private const double RemoveAfterAdd = 0.06;
    private const double CheckoutAfterAdd = 0.14;
    private const double CartPageAfterAdd = 0.20;
    private const double ExitAfterAdd = 0.12;
    private const double PurchaseAfterCheckout = 0.5;
    private const double ExplicitSessionEnd = 0.6;

    private static readonly int[] LandingWeights = [0, 45, 20, 30, 5, 0, 0, 0];
    private static readonly int[] BrowseWeights = [0, 8, 20, 57, 10, 5, 0, 0];
    private static readonly int[] QuantityWeights = [80, 14, 4, 2];

    private readonly ProductCatalog _catalog;
    private readonly DeterministicRandom _random;
    private readonly WeightedTable _landing = new(LandingWeights);
    private readonly WeightedTable _browse = new(BrowseWeights);
    private readonly WeightedTable _quantity = new(QuantityWeights);

    public SessionMachine(ProductCatalog catalog, DeterministicRandom random)
    {
        _catalog = catalog;
        _random = random;
    }

    /// <summary>Orders numbered so far; the next purchase gets this number plus one.</summary>
    public long OrdersPlaced { get; private set; }

    /// <summary>
    /// Advances the session by one event into <paramref name="e"/>. Returns false when the session ended
    /// without emitting anything (it left silently, as most real sessions do).
    /// </summary>
    public bool TryStep(SessionState s, ref GeneratedEvent e)
    {
        switch (s.Next)
        {
            case SessionStep.Start:
                e.Clear(EventKind.SessionStart, PageKind.None);
                s.Next = SessionStep.PageView;
                return true;
            case SessionStep.PageView:
                EmitPageView(s, ref e);
                return true;
            case SessionStep.Click:
                EmitClick(s, ref e);
                return true;
            case SessionStep.AddToCart:
                EmitAddToCart(s, ref e);
                return true;
            case SessionStep.RemoveFromCart:
                EmitRemoveFromCart(s, ref e);
                return true;
            case SessionStep.Checkout:
                e.Clear(EventKind.Checkout, PageKind.Checkout);
                e.Items = s.CartItems();
                e.RevenueCents = s.CartValueCents();
                s.Page = PageKind.Checkout;
                s.Next = _random.Chance(PurchaseAfterCheckout) ? SessionStep.Purchase : SessionStep.End;
                return true;
            case SessionStep.Purchase:
                e.Clear(EventKind.Purchase, PageKind.OrderComplete);
                e.Items = s.CartItems();
                e.RevenueCents = s.CartValueCents();
                e.Order = ++OrdersPlaced;
                s.CartLines = 0;
                s.Next = SessionStep.End;
                return true;
            case SessionStep.End:
                s.Next = SessionStep.Done;
                if (_random.Chance(ExplicitSessionEnd))
                {
                    e.Clear(EventKind.SessionEnd, PageKind.None);
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    private void EmitPageView(SessionState s, ref GeneratedEvent e)
    {
        PageKind page;
        if (s.ClickDestination != PageKind.None)
        {
            page = s.ClickDestination;
            s.Product = s.ClickProduct;
            s.Category = s.ClickCategory;
            s.ClickDestination = PageKind.None;
        }
        else
        {
            page = (PageKind)(s.PageViews == 0 ? _landing : _browse).Pick(_random.NextDouble());
            ChooseTarget(page, s);
        }

        s.Page = page;
        s.PageViews++;
        e.Clear(EventKind.PageView, page);
        e.Product = page == PageKind.Product ? s.Product : -1;
        e.Category = page == PageKind.Category ? s.Category : -1;
        if (page == PageKind.Search)
        {
            e.Detail = _random.NextInt(SearchTermCount);
        }

        double r = _random.NextDouble();
        if (r < ExitAfterPageView)
        {
            s.Next = SessionStep.End;
            return;
        }

        r -= ExitAfterPageView;
        if (page == PageKind.Product && r < AddToCartOnProductPage)
        {
            s.Next = SessionStep.AddToCart;
            return;
        }

        if (page == PageKind.Cart && s.CartLines > 0)
        {
            if (r < CheckoutFromCartPage)
            {
                s.Next = SessionStep.Checkout;
                return;
            }

            if (r < CheckoutFromCartPage + RemoveOnCartPage)
            {
                s.Next = SessionStep.RemoveFromCart;
                return;
            }
        }

        s.Next = _random.Chance(ClickAfterPageView) ? SessionStep.Click : SessionStep.PageView;
    }

    private void ChooseTarget(PageKind page, SessionState s)
    {
        switch (page)
        {
            case PageKind.Product:
                // Browsing within a category keeps to it, otherwise popularity decides.
                s.Product = s.Page == PageKind.Category && s.Category >= 0
                    ? _catalog.SampleProductInCategory(_random, s.Category)
                    : _catalog.SampleProduct(_random);
                s.Category = _catalog.CategoryOf(s.Product);
                break;
            case PageKind.Category:
                s.Category = _catalog.CategoryOf(_catalog.SampleProduct(_random));
                break;
            default:
                break;
        }
    }

    private void EmitClick(SessionState s, ref GeneratedEvent e)
    {
        e.Clear(EventKind.Click, s.Page);
        e.Product = s.Page == PageKind.Product ? s.Product : -1;
        e.Category = s.Page == PageKind.Category ? s.Category : -1;
        e.Detail = _random.NextInt(ClickElementCount);
        // Clicks mostly lead to a product (cards, recommendations), sometimes to a category or the cart.
        double r = _random.NextDouble();
        PageKind destination = r < 0.7 ? PageKind.Product : r < 0.9 ? PageKind.Category : PageKind.Cart;
        s.ClickDestination = destination;
        s.ClickProduct = s.Product;
        s.ClickCategory = s.Category;
        if (destination != PageKind.Cart)
        {
            int previousProduct = s.Product, previousCategory = s.Category;
            ChooseTarget(destination, s);
            s.ClickProduct = s.Product;
            s.ClickCategory = s.Category;
            s.Product = previousProduct;
            s.Category = previousCategory;
        }

        s.Next = SessionStep.PageView;
    }

    private void EmitAddToCart(SessionState s, ref GeneratedEvent e)
    {
        int product = s.Product;
        int price = _catalog.PriceCents(product);
        int quantity = _quantity.Pick(_random.NextDouble()) + 1;
        if (!s.AddToCart(product, price, quantity))
        {
            // A full cart: the shopper goes to pay instead of adding more.
            e.Clear(EventKind.Checkout, PageKind.Checkout);
            e.Items = s.CartItems();
            e.RevenueCents = s.CartValueCents();
            s.Page = PageKind.Checkout;
            s.Next = _random.Chance(PurchaseAfterCheckout) ? SessionStep.Purchase : SessionStep.End;
            return;
        }

        e.Clear(EventKind.AddToCart, PageKind.Product);
        e.Product = product;
        e.PriceCents = price;
        e.Quantity = quantity;
        double r = _random.NextDouble();
        s.Next = r < RemoveAfterAdd ? SessionStep.RemoveFromCart
            : r < RemoveAfterAdd + CheckoutAfterAdd ? SessionStep.Checkout
            : r < RemoveAfterAdd + CheckoutAfterAdd + ExitAfterAdd ? SessionStep.End
            : SessionStep.PageView;
        if (s.Next == SessionStep.PageView && _random.Chance(CartPageAfterAdd))
        {
            s.ClickDestination = PageKind.Cart;
        }
    }

    private void EmitRemoveFromCart(SessionState s, ref GeneratedEvent e)
    {
        int line = _random.NextInt(s.CartLines);
        e.Clear(EventKind.RemoveFromCart, s.Page == PageKind.Cart ? PageKind.Cart : PageKind.Product);
        e.Product = s.CartProduct[line];
        e.PriceCents = s.CartPriceCents[line];
        e.Quantity = s.CartQuantity[line];
        s.RemoveLine(line);
        s.Next = s.CartLines > 0 && _random.Chance(0.3) ? SessionStep.Checkout : SessionStep.PageView;
    }
}
