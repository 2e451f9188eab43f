namespace Pulse.Log.Internal;

internal enum ScanResult
{
    Record,
    End,
    Corrupt,
}
