namespace Pulse.Processing.State;

/// <summary>One interned dimension value; immutable once published so lock-free readers can share it.</summary>
internal sealed class DimensionValue(byte[] utf8, string text, ulong hash)
{
    public byte[] Utf8 { get; } = utf8;

    public string Text { get; } = text;

    public ulong Hash { get; } = hash;
}
