namespace Pulse.Generate;

/// <summary>What a session does next: the states of <see cref="SessionMachine"/>.</summary>
internal enum SessionStep : byte
{
    Start = 0,
    PageView,
    Click,
    AddToCart,
    RemoveFromCart,
    Checkout,
    Purchase,
    End,
    Done,
}
