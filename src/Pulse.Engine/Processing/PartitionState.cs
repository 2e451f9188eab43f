using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pulse.Analytics;
using Pulse.Events;
using Pulse.Log;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Processing;

/// <summary>
/// The aggregation state of one partition: resident buckets at every resolution, the event-time
/// watermark, and the log position the state corresponds to. Single writer (the partition's
/// processor); readers (queries, checkpoints) take <see cref="Gate"/>, which the processor holds per
/// batch, never per event.
/// </summary>
public sealed class PartitionState
{
    private readonly Dictionary<long, Bucket>[] _buckets = new Dictionary<long, Bucket>[Resolutions.Count];
    private readonly Bucket?[] _current = new Bucket?[Resolutions.Count];
    private readonly Bucket?[] _applying = new Bucket?[Resolutions.Count];
    private readonly long[] _loadedFrom = new long[Resolutions.Count];
    private readonly DimensionDictionary _dictionary;
    private readonly ICellStore _store;
    private readonly long _allowedLatenessMs;

    // After a restart from a seconds-only checkpoint, the stored 1-second rows already hold every
    // record before this offset while coarser rows stop at the base checkpoint's offset: the replay
    // from the base applies records below it to the coarser resolutions only.
    private long _secondsFrom = long.MinValue;

    public PartitionState(int partition, DimensionDictionary dictionary, ICellStore store, TimeSpan allowedLateness)
    {
        Partition = partition;
        _dictionary = dictionary;
        _store = store;
        _allowedLatenessMs = (long)allowedLateness.TotalMilliseconds;
        for (int r = 0; r < Resolutions.Count; r++)
        {
            _buckets[r] = [];
            _loadedFrom[r] = long.MinValue;
        }
    }

    public int Partition { get; }

    /// <summary>Held by the processor while it applies a batch, and by readers.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The log position of the next record to apply: everything before it is in the state.</summary>
    public LogPosition Position { get; set; }

    public long MaxEventTimeMs { get; private set; } = long.MinValue;

    /// <summary>Max event time − allowed lateness; a bucket is final once the watermark passes its end.</summary>
    public long WatermarkMs => MaxEventTimeMs == long.MinValue ? long.MinValue : MaxEventTimeMs - _allowedLatenessMs;

    /// <summary>Wall-clock time the processor last applied an event; idle partitions do not hold the global watermark.</summary>
    public long LastActivityMs { get; set; }

    public long EventsProcessed { get; private set; }

    public long LateEvents { get; private set; }

    /// <summary>
    /// Set by the processor while a batch is applied only in part (the store failed under it): the
    /// state is then ahead of <see cref="Position"/>, so it must not be checkpointed until the batch completes.
    /// </summary>
    public bool Stalled { get; set; }

    /// <summary>The partition's sessions, funnels and patterns (null when analytics are off); guarded by <see cref="Gate"/> too.</summary>
    public PartitionAnalytics? Analytics { get; set; }

    /// <summary>The partition's user-defined metrics (null when analytics are off); guarded by <see cref="Gate"/> too.</summary>
    public Pulse.Analytics.Metrics.PartitionMetrics? Metrics { get; set; }

    /// <summary>The dictionary ids of the last applied event's dimensions, for the analytics that follow it.</summary>
    public (int Type, int Page, int Product, int Country, int Device) LastDimensions { get; private set; }

    /// <summary>Buckets at or after this start are complete in memory at <paramref name="resolution"/>; older ones live in the store.</summary>
    public long LoadedFrom(Resolution resolution) => _loadedFrom[(int)resolution];

    public IReadOnlyDictionary<long, Bucket> BucketsAt(Resolution resolution) => _buckets[(int)resolution];

    /// <summary>Applies one live event to every cuboid at every resolution. Caller holds <see cref="Gate"/>.</summary>
    public void Apply(in EncodedEvent e) => Apply(e, long.MaxValue);

    /// <summary>
    /// Applies the record at log <paramref name="offset"/> to every cuboid at every resolution whose
    /// stored state does not hold it yet. Caller holds <see cref="Gate"/>.
    /// </summary>
    public void Apply(in EncodedEvent e, long offset)
    {
        EventHeader h = e.Header;
        long time = h.EventTimeMs;
        // Late: its smallest window was already final when it arrived. It is still counted in its own
        // bucket (mergeable aggregates are corrected in place) and flagged in late_events.
        long late = MaxEventTimeMs != long.MinValue && Resolution.Second.BucketStart(time) + 1000 <= WatermarkMs ? 1 : 0;
        (int type, int page, int product, int country, int device) = DimensionsOf(e);
        long revenue = h.Kind == EventKind.Purchase ? h.RevenueMicros : 0;
        LastDimensions = (type, page, product, country, device);

        int first = offset < _secondsFrom ? 1 : 0;
        bool anyPartial = false;
        for (int r = first; r < Resolutions.Count; r++)
        {
            var resolution = (Resolution)r;
            Bucket bucket = GetBucket(resolution, resolution.BucketStart(time));
            _applying[r] = bucket;
            anyPartial |= bucket.Partial;
        }

        // A late event for an evicted bucket needs its stored cells first. They are all read before
        // anything changes, so a store that fails leaves the event unapplied, and the processor can
        // retry it, instead of applied to some cells and not others.
        if (anyPartial)
        {
            for (int r = first; r < Resolutions.Count; r++)
            {
                if (_applying[r]!.Partial)
                {
                    LoadStoredCells(_applying[r]!, type, page, product, country, device);
                }
            }
        }

        if (time > MaxEventTimeMs)
        {
            MaxEventTimeMs = time;
        }

        for (int r = first; r < Resolutions.Count; r++)
        {
            Bucket bucket = _applying[r]!;
            ReadOnlySpan<Dimension> counts = Cuboids.CountsAt(bucket.Resolution);
            for (int c = 0; c < counts.Length; c++)
            {
                AddCount(bucket, c, new CellKey(counts[c], type, page, product, country, device), revenue, late);
            }

            ReadOnlySpan<Dimension> uniques = Cuboids.UniquesAt(bucket.Resolution);
            for (int c = 0; c < uniques.Length; c++)
            {
                AddUnique(bucket, c, new CellKey(uniques[c], type, page, product, country, device), h.UserHash);
            }
        }

        EventsProcessed++;
        LateEvents += late;
    }

    /// <summary>The dictionary ids of the event's five dimensions (interned on first sight).</summary>
    public (int Type, int Page, int Product, int Country, int Device) DimensionsOf(in EncodedEvent e) =>
        (_dictionary.GetOrAdd(e[EventField.Type]), _dictionary.GetOrAdd(e[EventField.Page]), _dictionary.GetOrAdd(e[EventField.ProductId]),
            _dictionary.GetOrAdd(e[EventField.Country]), _dictionary.GetOrAdd(e[EventField.Device]));

    /// <summary>
    /// Takes a record's event time into the watermark without counting it anywhere: a replay of
    /// part of the log passes the records outside its range through here, so the records inside it
    /// are flagged late exactly as when they were first processed.
    /// </summary>
    public void Observe(in EncodedEvent e)
    {
        MaxEventTimeMs = Math.Max(MaxEventTimeMs, e.Header.EventTimeMs);
        EventsProcessed++;
    }

    /// <summary>Brings the event's cells of an evicted bucket back from the store (absent ones start at zero).</summary>
    private void LoadStoredCells(Bucket bucket, int type, int page, int product, int country, int device)
    {
        ReadOnlySpan<Dimension> counts = Cuboids.CountsAt(bucket.Resolution);
        for (int c = 0; c < counts.Length; c++)
        {
            var key = new CellKey(counts[c], type, page, product, country, device);
            if (!bucket.Counts[c].ContainsKey(key))
            {
                CountCell stored = _store.TryLoadCount(Partition, bucket.Resolution, bucket.Start, key, out CountCell cell) ? cell : default;
                bucket.Counts[c].Add(key, stored with { Dirty = false });
            }
        }

        ReadOnlySpan<Dimension> uniques = Cuboids.UniquesAt(bucket.Resolution);
        for (int c = 0; c < uniques.Length; c++)
        {
            var key = new CellKey(uniques[c], type, page, product, country, device);
            if (!bucket.Uniques[c].ContainsKey(key))
            {
                bucket.Uniques[c].Add(key, new UniqueCell(_store.TryLoadUnique(Partition, bucket.Resolution, bucket.Start, key) ?? new HyperLogLog()));
            }
        }
    }

    private Bucket GetBucket(Resolution resolution, long start)
    {
        int r = (int)resolution;
        Bucket? current = _current[r];
        if (current is not null && current.Start == start)
        {
            return current;
        }

        if (!_buckets[r].TryGetValue(start, out Bucket? bucket))
        {
            bucket = new Bucket(resolution, start, partial: start < _loadedFrom[r]);
            _buckets[r].Add(start, bucket);
        }

        _current[r] = bucket;
        return bucket;
    }

    private static void AddCount(Bucket bucket, int cuboid, CellKey key, long revenue, long late)
    {
        ref CountCell cell = ref CollectionsMarshal.GetValueRefOrAddDefault(bucket.Counts[cuboid], key, out _);
        cell.Count++;
        cell.RevenueMicros += revenue;
        cell.Late += late;
        if (!cell.Dirty)
        {
            cell.Dirty = true;
            bucket.DirtyCounts.Add((cuboid, key));
        }
    }

    private static void AddUnique(Bucket bucket, int cuboid, CellKey key, ulong userHash)
    {
        ref UniqueCell? cell = ref CollectionsMarshal.GetValueRefOrAddDefault(bucket.Uniques[cuboid], key, out bool exists);
        if (!exists)
        {
            cell = new UniqueCell(new HyperLogLog());
        }

        // Most adds to a sketch that has seen most of its users change nothing: only a changed
        // sketch needs writing again.
        if (cell!.Sketch.Add(userHash) && !cell.Dirty)
        {
            cell.Dirty = true;
            bucket.DirtyUniques.Add((cuboid, key));
        }
    }

    /// <summary>
    /// Moves every change since the last checkpoint into <paramref name="snapshot"/>: of every
    /// resolution when <paramref name="includeRollups"/>, else of the 1-second buckets only (the
    /// coarser ones stay dirty for the next full checkpoint). Caller holds <see cref="Gate"/>.
    /// </summary>
    public void TakeChanges(CheckpointSnapshot snapshot, bool includeRollups = true)
    {
        snapshot.Taken = true;
        snapshot.IncludesRollups = includeRollups;
        int resolutions = includeRollups ? Resolutions.Count : 1;
        for (int r = 0; r < resolutions; r++)
        {
            foreach (Bucket bucket in _buckets[r].Values)
            {
                foreach ((int cuboid, CellKey key) in bucket.DirtyCounts)
                {
                    ref CountCell cell = ref CollectionsMarshal.GetValueRefOrNullRef(bucket.Counts[cuboid], key);
                    cell.Dirty = false;
                    snapshot.Counts.Add(new CountRow(bucket.Resolution, bucket.Start, key, cell.Count, cell.RevenueMicros, cell.Late));
                }

                foreach ((int cuboid, CellKey key) in bucket.DirtyUniques)
                {
                    UniqueCell cell = bucket.Uniques[cuboid][key];
                    cell.Dirty = false;
                    int offset = snapshot.SketchBytes.WrittenCount;
                    int length = cell.Sketch.Serialize(snapshot.SketchBytes.GetSpan(cell.Sketch.MaxSerializedSize));
                    snapshot.SketchBytes.Advance(length);
                    snapshot.Uniques.Add(new UniqueRow(bucket.Resolution, bucket.Start, key, offset, length));
                }

                bucket.DirtyCounts.Clear();
                bucket.DirtyUniques.Clear();
            }
        }

        if (includeRollups && Analytics is { } analytics)
        {
            analytics.TakeChanges(snapshot.Analytics ??= new AnalyticsSnapshot());
        }

        if (includeRollups && Metrics is { } metrics)
        {
            metrics.TakeChanges(snapshot.Analytics ??= new AnalyticsSnapshot());
        }

        snapshot.Position = Position;
        snapshot.MaxEventTimeMs = MaxEventTimeMs;
        snapshot.EventsProcessed = EventsProcessed;
    }

    /// <summary>A checkpoint failed: its cells must be written by the next one. Caller holds <see cref="Gate"/>.</summary>
    public void RestoreChanges(CheckpointSnapshot snapshot)
    {
        if (snapshot.IncludesRollups && snapshot.Analytics is { } taken)
        {
            Analytics?.RestoreChanges(taken);
            Metrics?.RestoreChanges(taken);
        }

        foreach (CountRow row in snapshot.Counts)
        {
            if (_buckets[(int)row.Resolution].TryGetValue(row.Bucket, out Bucket? bucket)
                && bucket.CountsFor(row.Key.Mask) is { } cells)
            {
                ref CountCell cell = ref CollectionsMarshal.GetValueRefOrNullRef(cells, row.Key);
                if (!Unsafe.IsNullRef(ref cell) && !cell.Dirty)
                {
                    cell.Dirty = true;
                    bucket.DirtyCounts.Add((Cuboids.CountsAt(row.Resolution).IndexOf(row.Key.Mask), row.Key));
                }
            }
        }

        foreach (UniqueRow row in snapshot.Uniques)
        {
            if (_buckets[(int)row.Resolution].TryGetValue(row.Bucket, out Bucket? bucket)
                && bucket.UniquesFor(row.Key.Mask) is { } cells
                && cells.TryGetValue(row.Key, out UniqueCell? cell) && !cell.Dirty)
            {
                cell.Dirty = true;
                bucket.DirtyUniques.Add((Cuboids.UniquesAt(row.Resolution).IndexOf(row.Key.Mask), row.Key));
            }
        }
    }

    /// <summary>
    /// Drops clean, final buckets that ended more than the resident span before the newest event
    /// time; the store holds them. Caller holds <see cref="Gate"/>.
    /// </summary>
    public int Evict(ReadOnlySpan<TimeSpan> residentSpans)
    {
        if (MaxEventTimeMs == long.MinValue)
        {
            return 0;
        }

        int evicted = 0;
        List<long>? drop = null;
        for (int r = 0; r < Resolutions.Count; r++)
        {
            long horizon = Math.Min(MaxEventTimeMs - (long)residentSpans[r].TotalMilliseconds, WatermarkMs);
            drop?.Clear();
            foreach (Bucket bucket in _buckets[r].Values)
            {
                if (bucket.End <= horizon && !bucket.IsDirty)
                {
                    (drop ??= []).Add(bucket.Start);
                }
            }

            if (drop is null)
            {
                continue;
            }

            foreach (long start in drop)
            {
                Bucket bucket = _buckets[r][start];
                _buckets[r].Remove(start);
                _loadedFrom[r] = Math.Max(_loadedFrom[r], bucket.End);
                if (ReferenceEquals(_current[r], bucket))
                {
                    _current[r] = null;
                }

                evicted++;
            }
        }

        return evicted;
    }

    /// <summary>
    /// Where the complete in-memory range of each resolution starts after a restart: the resident
    /// span before the newest event time of the checkpoint, aligned to the resolution.
    /// </summary>
    public static void ResidentFrom(long maxEventTimeMs, ReadOnlySpan<TimeSpan> residentSpans, Span<long> loadedFrom)
    {
        for (int r = 0; r < Resolutions.Count; r++)
        {
            loadedFrom[r] = maxEventTimeMs == long.MinValue
                ? long.MinValue
                : ((Resolution)r).BucketStart(maxEventTimeMs - (long)residentSpans[r].TotalMilliseconds);
        }
    }

    /// <summary>
    /// Starting point after a restart: the position, newest event time and event count of the last
    /// full checkpoint (replay from there re-derives every late flag exactly as the first time), the
    /// offset the stored 1-second rows reach, and where the resident buckets begin.
    /// </summary>
    public void Restore(LogPosition position, long maxEventTimeMs, long eventsProcessed, ReadOnlySpan<long> loadedFrom, long secondsFrom = long.MinValue)
    {
        Position = position;
        _secondsFrom = secondsFrom;
        MaxEventTimeMs = maxEventTimeMs;
        EventsProcessed = eventsProcessed;
        loadedFrom.CopyTo(_loadedFrom);
    }

    /// <summary>Adds a stored cell while restoring resident buckets (before processing starts).</summary>
    public void RestoreCount(Resolution resolution, long bucketStart, in CellKey key, in CountCell cell)
    {
        Bucket bucket = GetBucket(resolution, bucketStart);
        if (bucket.CountsFor(key.Mask) is { } cells)
        {
            cells[key] = cell with { Dirty = false };
        }
    }

    public void RestoreUnique(Resolution resolution, long bucketStart, in CellKey key, HyperLogLog sketch)
    {
        Bucket bucket = GetBucket(resolution, bucketStart);
        if (bucket.UniquesFor(key.Mask) is { } cells)
        {
            cells[key] = new UniqueCell(sketch);
        }
    }
}
