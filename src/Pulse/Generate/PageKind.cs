namespace Pulse.Generate;

/// <summary>The page an event happens on; decides the <c>page</c> path written.</summary>
internal enum PageKind : byte
{
    None = 0,
    Home,
    Category,
    Product,
    Search,
    Cart,
    Checkout,
    OrderComplete,
}
