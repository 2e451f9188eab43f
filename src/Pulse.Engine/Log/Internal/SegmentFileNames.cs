using System.Globalization;

namespace Pulse.Log.Internal;

/// <summary>Segment files are named by the offset of their first record, zero-padded so names sort by offset.</summary>
internal static class SegmentFileNames
{
    public const string LogExtension = ".log";
    public const string IndexExtension = ".idx";
    private const int Digits = 20;

    public static string LogPath(string directory, long baseOffset) =>
        Path.Combine(directory, baseOffset.ToString("D20", CultureInfo.InvariantCulture) + LogExtension);

    public static string IndexPath(string directory, long baseOffset) =>
        Path.Combine(directory, baseOffset.ToString("D20", CultureInfo.InvariantCulture) + IndexExtension);

    public static bool TryParseBaseOffset(string path, out long baseOffset)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        baseOffset = 0;
        return name.Length == Digits
            && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
