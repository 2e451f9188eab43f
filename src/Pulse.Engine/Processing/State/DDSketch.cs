using System.Runtime.CompilerServices;

namespace Pulse.Processing.State;

/// <summary>
/// A mergeable quantile sketch with relative error α on values (DDSketch, Masson et al., VLDB 2019).
/// A positive value x goes to bucket <c>ceil(log_γ x)</c> with γ = (1+α)/(1−α); every value in bucket i
/// lies in (γ^(i−1), γ^i], so answering with 2γ^i/(γ+1) is within α of any of them. Zeros are counted
/// apart; negatives are rejected. At most <see cref="MaxBuckets"/> buckets are kept: past that the
/// lowest buckets are folded into one, which only makes quantiles inside that collapsed low range
/// inaccurate (they are over-estimated) — every quantile whose value lies above it keeps the α bound.
/// Counts are a dense array indexed from an offset that is re-based in place, so Add never allocates
/// except when the array doubles. Not thread-safe: one owner at a time.
/// </summary>
public sealed partial class DDSketch
{
    public const double DefaultRelativeAccuracy = 0.01;
    public const int DefaultMaxBuckets = 2048;

    /// <summary>Below this the indices of tiny doubles (down to 4.9e-324) would overflow an int.</summary>
    public const double MinRelativeAccuracy = 1e-6;

    public const double MaxRelativeAccuracy = 0.5;
    public const int MinMaxBuckets = 8;
    public const int MaxMaxBuckets = 1 << 20;
    private const int InitialBucketCapacity = 64;

    private readonly double _gamma;
    private readonly double _indexMultiplier;

    /// <summary>Bucket counts; <c>_counts[k]</c> is bucket <c>_offset + k</c>. Zero outside [_minIndex, _maxIndex].</summary>
    private long[] _counts = [];

    private int _offset;
    private int _minIndex = int.MaxValue;
    private int _maxIndex = int.MinValue;
    private long _zeroCount;
    private long _count;
    private double _sum;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    public DDSketch(double relativeAccuracy = DefaultRelativeAccuracy, int maxBuckets = DefaultMaxBuckets)
    {
        if (!(relativeAccuracy >= MinRelativeAccuracy && relativeAccuracy <= MaxRelativeAccuracy))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeAccuracy), relativeAccuracy, $"Relative accuracy must be in [{MinRelativeAccuracy}, {MaxRelativeAccuracy}].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, MinMaxBuckets);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBuckets, MaxMaxBuckets);
        RelativeAccuracy = relativeAccuracy;
        MaxBuckets = maxBuckets;
        _gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        _indexMultiplier = 1 / Math.Log(_gamma);
    }

    public double RelativeAccuracy { get; }

    public int MaxBuckets { get; }

    /// <summary>Values added, zeros included.</summary>
    public long Count => _count;

    /// <summary>Exact sum of the values added (floating-point).</summary>
    public double Sum => _sum;

    /// <summary>Exact smallest value added; NaN while empty.</summary>
    public double Min => _count == 0 ? double.NaN : _min;

    /// <summary>Exact largest value added; NaN while empty.</summary>
    public double Max => _count == 0 ? double.NaN : _max;

    /// <summary>NaN while empty.</summary>
    public double Average => _count == 0 ? double.NaN : _sum / _count;

    public long ZeroCount => _zeroCount;

    /// <summary>Buckets between the lowest and highest occupied one (the memory in use is this × 8 bytes, at most <see cref="MaxBuckets"/>).</summary>
    public int BucketCount => _maxIndex < _minIndex ? 0 : _maxIndex - _minIndex + 1;

    public void Add(double value) => Add(value, 1);

    /// <summary>Adds <paramref name="value"/> <paramref name="count"/> times.</summary>
    public void Add(double value, long count)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "DDSketch values must be finite and non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (value == 0)
        {
            _zeroCount = checked(_zeroCount + count);
        }
        else
        {
            AddToBucket(IndexOf(value), count);
        }

        _count = checked(_count + count);
        _sum += value * count;
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
    }

    /// <summary>
    /// The value at rank <c>floor(q · (Count − 1))</c> (0-based) of the values in ascending order — the
    /// lower quantile — within <see cref="RelativeAccuracy"/> of the exact one unless that rank falls in
    /// the collapsed lowest bucket. Ranks 0 and Count − 1 answer the exact Min and Max. NaN while empty.
    /// </summary>
    public double Quantile(double q)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "Quantile must be in [0, 1].");
        }

        if (_count == 0)
        {
            return double.NaN;
        }

        long rank = (long)Math.Floor(q * (_count - 1));
        if (rank == 0)
        {
            return _min;
        }

        if (rank == _count - 1)
        {
            return _max;
        }

        if (rank < _zeroCount)
        {
            return 0;
        }

        long seen = _zeroCount;
        ReadOnlySpan<long> counts = _counts.AsSpan(_minIndex - _offset, BucketCount);
        for (int k = 0; k < counts.Length; k++)
        {
            seen += counts[k];
            if (seen > rank)
            {
                // The exact quantile is inside [min, max], so clamping can only bring the answer closer.
                return Math.Clamp(ValueOf(_minIndex + k), _min, _max);
            }
        }

        return _max;
    }

    /// <summary>Adds every value of <paramref name="other"/> to this sketch; <paramref name="other"/> is not modified.</summary>
    public void Merge(DDSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.RelativeAccuracy != RelativeAccuracy)
        {
            throw new ArgumentException($"Cannot merge a sketch of relative accuracy {other.RelativeAccuracy} into one of {RelativeAccuracy}.", nameof(other));
        }

        if (other._count == 0)
        {
            return;
        }

        // Highest bucket first: any collapsing then happens once, and the result is the same as in the other order.
        for (int index = other._maxIndex; index >= other._minIndex; index--)
        {
            long bucketCount = other._counts[index - other._offset];
            if (bucketCount != 0)
            {
                AddToBucket(index, bucketCount);
            }
        }

        _zeroCount = checked(_zeroCount + other._zeroCount);
        _count = checked(_count + other._count);
        _sum += other._sum;
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
    }

    public DDSketch Clone()
    {
        var clone = new DDSketch(RelativeAccuracy, MaxBuckets);
        clone.CopyStateFrom(this);
        return clone;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        _minIndex = int.MaxValue;
        _maxIndex = int.MinValue;
        _zeroCount = 0;
        _count = 0;
        _sum = 0;
        _min = double.PositiveInfinity;
        _max = double.NegativeInfinity;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IndexOf(double positiveValue) => (int)Math.Ceiling(Math.Log(positiveValue) * _indexMultiplier);

    /// <summary>The point of (γ^(i−1), γ^i] with the same relative distance α to both ends.</summary>
    internal double ValueOf(int index) => 2 * Math.Pow(_gamma, index) / (_gamma + 1);

    private void CopyStateFrom(DDSketch source)
    {
        _counts = (long[])source._counts.Clone();
        _offset = source._offset;
        _minIndex = source._minIndex;
        _maxIndex = source._maxIndex;
        _zeroCount = source._zeroCount;
        _count = source._count;
        _sum = source._sum;
        _min = source._min;
        _max = source._max;
    }

    private void AddToBucket(int index, long count)
    {
        if (_maxIndex < _minIndex)
        {
            Cover(index, index);
            _minIndex = _maxIndex = index;
        }
        else if (index > _maxIndex)
        {
            long span = (long)index - _minIndex + 1;
            if (span > MaxBuckets)
            {
                CollapseUpTo(index - MaxBuckets + 1, index);
            }
            else
            {
                Cover(_minIndex, index);
            }

            _maxIndex = index;
        }
        else if (index < _minIndex)
        {
            long span = (long)_maxIndex - index + 1;
            if (span > MaxBuckets)
            {
                // Below the kept range: the value joins the lowest bucket that may exist.
                index = _maxIndex - MaxBuckets + 1;
            }

            Cover(index, _maxIndex);
            _minIndex = Math.Min(_minIndex, index);
        }

        ref long bucket = ref _counts[index - _offset];
        bucket = checked(bucket + count);
    }

    /// <summary>Folds every bucket at or below <paramref name="newMinIndex"/> into it, then makes room up to <paramref name="newMaxIndex"/>.</summary>
    private void CollapseUpTo(int newMinIndex, int newMaxIndex)
    {
        long folded = 0;
        int foldTop = Math.Min(newMinIndex, _maxIndex);
        Span<long> foldedBuckets = _counts.AsSpan(_minIndex - _offset, foldTop - _minIndex + 1);
        foreach (long bucketCount in foldedBuckets)
        {
            folded += bucketCount;
        }

        foldedBuckets.Clear();
        if (newMinIndex > _maxIndex)
        {
            // Every occupied bucket was folded: nothing left to move.
            _minIndex = int.MaxValue;
            _maxIndex = int.MinValue;
        }
        else
        {
            _minIndex = newMinIndex;
        }

        Cover(newMinIndex, newMaxIndex);
        _counts[newMinIndex - _offset] += folded;
        _minIndex = newMinIndex;
    }

    /// <summary>
    /// Makes the array cover [low, high] (at most <see cref="MaxBuckets"/> wide), moving the occupied
    /// buckets: in place when the array is long enough, else into one twice as long (capped).
    /// </summary>
    private void Cover(int low, int high)
    {
        if (low >= _offset && high < _offset + _counts.Length)
        {
            return;
        }

        int needed = high - low + 1;
        long[] target = _counts;
        if (needed > _counts.Length)
        {
            int length = Math.Min(MaxBuckets, Math.Max(needed, Math.Max(InitialBucketCapacity, _counts.Length * 2)));
            target = new long[length];
        }

        // Leave the spare room on the side the sketch is growing towards.
        int newOffset = high >= _offset + _counts.Length ? low : high - target.Length + 1;
        if (_maxIndex >= _minIndex)
        {
            int occupied = _maxIndex - _minIndex + 1;
            int from = _minIndex - _offset;
            int to = _minIndex - newOffset;
            _counts.AsSpan(from, occupied).CopyTo(target.AsSpan(to, occupied));
            if (ReferenceEquals(target, _counts))
            {
                target.AsSpan(0, to).Clear();
                target.AsSpan(to + occupied).Clear();
            }
        }

        _counts = target;
        _offset = newOffset;
    }
}
