using System.Diagnostics;
using Pulse.Log.Internal;

namespace Pulse.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Rebuilds the in-memory view from the files. Only the last segment can have a torn tail (a
    /// segment is fsynced before the next one is created): it is scanned strictly and cut at the
    /// first bad record. Earlier segments keep their bytes; damage there is skipped by readers.
    /// </summary>
    private void Recover()
    {
        long started = Stopwatch.GetTimestamp();
        System.IO.Directory.CreateDirectory(_directory);
        FileSync.Directory(Path.GetDirectoryName(Path.GetFullPath(_directory))!);
        foreach (string stale in System.IO.Directory.GetFiles(_directory, "*" + SegmentFileNames.IndexExtension + ".tmp"))
        {
            File.Delete(stale);
        }

        List<long> bases = [];
        foreach (string path in System.IO.Directory.GetFiles(_directory, "*" + SegmentFileNames.LogExtension))
        {
            if (SegmentFileNames.TryParseBaseOffset(path, out long baseOffset))
            {
                bases.Add(baseOffset);
            }
        }

        bases.Sort();
        if (bases.Count == 0)
        {
            bases.Add(0);
        }

        for (int i = 0; i < bases.Count - 1; i++)
        {
            Segment? sealedSegment = OpenSealedSegment(bases[i]);
            if (sealedSegment is not null)
            {
                _segments.Add(sealedSegment);
            }
        }

        Segment active = OpenActiveSegment(bases[^1]);
        _segments.Add(active);
        _active = active;
        ReportGaps();

        _nextOffset = active.Index.RecordCount > 0 ? active.Index.LastOffset + 1 : active.BaseOffset;
        for (int i = _segments.Count - 1; i >= 0; i--)
        {
            if (_segments[i].Index.RecordCount > 0)
            {
                _lastTimestamp = _segments[i].Index.MaxTimestamp;
                break;
            }
        }

        _durableEnd = new(new LogPosition(_nextOffset, active.BaseOffset, active.Length));
        long bytes = RecomputeTotalBytes();
        LogMessages.Recovered(_logger, Partition, _segments.Count, _nextOffset, bytes, ElapsedMs(started));
    }

    private Segment? OpenSealedSegment(long baseOffset)
    {
        string path = SegmentFileNames.LogPath(_directory, baseOffset);
        Microsoft.Win32.SafeHandles.SafeFileHandle handle = Segment.OpenHandle(path, writable: false);
        long length = RandomAccess.GetLength(handle);
        Segment segment;
        if (length == 0)
        {
            // Nothing was ever written after the file was created; it holds no offsets.
            handle.Dispose();
            File.Delete(SegmentFileNames.IndexPath(_directory, baseOffset));
            File.Delete(path);
            return null;
        }

        SegmentIndex? index = SegmentIndexFile.TryRead(SegmentFileNames.IndexPath(_directory, baseOffset), baseOffset, length, _indexIntervalBytes);
        if (index is null)
        {
            index = ScanSealedSegment(handle, baseOffset, length, path);
            segment = new Segment(_directory, baseOffset, handle, index, isSealed: true);
            try
            {
                SegmentIndexFile.Write(segment.IndexPath, index);
            }
            catch (IOException)
            {
                // The index is a cache; the in-memory one serves, and the next start tries again.
            }

            LogMessages.IndexRebuilt(_logger, Partition, path);
            return segment;
        }

        return new Segment(_directory, baseOffset, handle, index, isSealed: true);
    }

    /// <summary>Indexes a sealed segment, stepping over corrupt ranges instead of stopping at them.</summary>
    private SegmentIndex ScanSealedSegment(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long baseOffset, long length, string path)
    {
        SegmentIndex index = new(baseOffset, _indexIntervalBytes);
        using SegmentScanner scanner = new(handle, 0, length, baseOffset - 1, requireConsecutive: false);
        long lostFrom = -1;
        while (true)
        {
            ScanResult result = scanner.Next(out ScannedRecord record);
            if (result == ScanResult.Record)
            {
                if (lostFrom >= 0)
                {
                    // The records between the last good one and this are gone; a cut-short end is a gap to the next segment instead.
                    RecordLost(lostFrom, record.Offset - 1);
                    lostFrom = -1;
                }

                index.Add(record.Offset, record.Position, record.TimestampMs);
                continue;
            }

            if (result == ScanResult.End)
            {
                break;
            }

            long badPosition = scanner.Position;
            lostFrom = scanner.LastOffset + 1;
            bool found = scanner.Resync();
            Interlocked.Increment(ref _corruptionsSkipped);
            LogMessages.CorruptionSkipped(_logger, Partition, path, badPosition, scanner.Position - badPosition);
            if (!found)
            {
                break;
            }
        }

        index.Length = length;
        return index;
    }

    private Segment OpenActiveSegment(long baseOffset)
    {
        string path = SegmentFileNames.LogPath(_directory, baseOffset);
        Microsoft.Win32.SafeHandles.SafeFileHandle handle = Segment.OpenHandle(path, writable: true);
        try
        {
            // A sealed segment whose successor never got created continues as the active one.
            File.Delete(SegmentFileNames.IndexPath(_directory, baseOffset));
            FileSync.Directory(_directory);
            Segment segment = new(_directory, baseOffset, handle, new SegmentIndex(baseOffset, _indexIntervalBytes), isSealed: false);
            long fileLength = RandomAccess.GetLength(handle);
            SegmentIndex index = ScanActiveSegment(segment, fileLength);
            segment.Index = index;
            if (index.Length < fileLength)
            {
                RandomAccess.SetLength(handle, index.Length);
                if (_options.Fsync)
                {
                    FileSync.Data(handle);
                }

                Interlocked.Increment(ref _recoveryTruncations);
                Interlocked.Add(ref _recoveryTruncatedBytes, fileLength - index.Length);
                LogMessages.TruncatedTornTail(_logger, Partition, path, index.Length, fileLength - index.Length);
            }

            return segment;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Indexes the records of the active segment, in sequence. Bad bytes with no valid record after
    /// them are a torn tail (a write the crash interrupted, never acknowledged): the index ends before
    /// them and the caller cuts them. Bad bytes with valid records after them are damage to records
    /// already acknowledged: they are skipped and reported like damage to a sealed segment, so the
    /// intact records behind them are kept rather than cut with a "tail".
    /// </summary>
    private SegmentIndex ScanActiveSegment(Segment segment, long end)
    {
        SegmentIndex index = new(segment.BaseOffset, _indexIntervalBytes);
        using SegmentScanner scanner = new(segment.Handle, 0, end, segment.BaseOffset - 1, requireConsecutive: true);
        long validEnd = 0;
        long lostFrom = -1;
        while (true)
        {
            ScanResult result = scanner.Next(out ScannedRecord record);
            if (result == ScanResult.Record)
            {
                if (lostFrom >= 0)
                {
                    RecordLost(lostFrom, record.Offset - 1);
                    lostFrom = -1;
                }

                index.Add(record.Offset, record.Position, record.TimestampMs);
                validEnd = scanner.Position;
                continue;
            }

            if (result == ScanResult.End)
            {
                break;
            }

            long badPosition = scanner.Position;
            long lastGood = scanner.LastOffset;
            if (!scanner.Resync())
            {
                break;
            }

            lostFrom = lastGood + 1;
            Interlocked.Increment(ref _corruptionsSkipped);
            LogMessages.CorruptionSkipped(_logger, Partition, segment.LogPath, badPosition, scanner.Position - badPosition);
        }

        index.Length = validEnd;
        return index;
    }

    private void ReportGaps()
    {
        for (int i = 1; i < _segments.Count; i++)
        {
            long expected = _segments[i - 1].Index.LastOffset + 1;
            long actual = _segments[i].BaseOffset;
            if (actual > expected)
            {
                Interlocked.Increment(ref _corruptionsSkipped);
                LogMessages.OffsetGap(_logger, Partition, expected, actual - 1);
                RecordLost(expected, actual - 1);
            }
        }
    }
}
