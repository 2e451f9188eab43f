using Microsoft.Win32.SafeHandles;

namespace Pulse.Log.Internal;

/// <summary>
/// One segment file and its index. Reference-counted: the log holds one reference while the
/// segment is listed, every reader inside it holds another, and the handle closes with the last
/// one — so retention can unlink a file a reader is still reading without pulling it from under it.
/// </summary>
internal sealed class Segment
{
    private SegmentIndex _index;
    private int _references = 1;
    private int _sealed;

    public Segment(string directory, long baseOffset, SafeFileHandle handle, SegmentIndex index, bool isSealed)
    {
        BaseOffset = baseOffset;
        LogPath = SegmentFileNames.LogPath(directory, baseOffset);
        IndexPath = SegmentFileNames.IndexPath(directory, baseOffset);
        Handle = handle;
        _index = index;
        _sealed = isSealed ? 1 : 0;
    }

    public long BaseOffset { get; }

    public string LogPath { get; }

    public string IndexPath { get; }

    public SafeFileHandle Handle { get; }

    public SegmentIndex Index
    {
        get => Volatile.Read(ref _index);
        set => Volatile.Write(ref _index, value);
    }

    public bool IsSealed => Volatile.Read(ref _sealed) != 0;

    public long Length => Index.Length;

    public static SafeFileHandle OpenHandle(string path, bool writable) =>
        File.OpenHandle(
            path,
            writable ? FileMode.OpenOrCreate : FileMode.Open,
            writable ? FileAccess.ReadWrite : FileAccess.Read,
            FileShare.ReadWrite | FileShare.Delete);

    public void MarkSealed() => Volatile.Write(ref _sealed, 1);

    public void MarkActive() => Volatile.Write(ref _sealed, 0);

    public bool TryAcquire()
    {
        int current = Volatile.Read(ref _references);
        while (current > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Handle.Dispose();
        }
    }

    public void DeleteFiles()
    {
        File.Delete(IndexPath);
        File.Delete(LogPath);
    }
}
