using System.Text;
using Pulse.Events;

namespace Pulse.Processing.State;

/// <summary>
/// Interns UTF-8 dimension values as dense int ids (1..N; 0 is the empty/missing value) so the
/// aggregation hot path hashes ints. Lookups of known values are lock-free: an open-addressing table
/// of <c>(hash fingerprint &lt;&lt; 32) | id</c> slots is read with acquire semantics, and a writer
/// publishes a value before the slot that points at it. Inserts and resizes take a lock; a resize
/// publishes a new table, and a reader that misses on a stale table retries under the lock.
/// </summary>
public sealed class DimensionDictionary
{
    public const int Empty = 0;
    public const int MaxValueBytes = 2048;

    private const int InitialSlots = 1024;
    private const int InitialValues = 256;
    private const ulong FingerprintMask = 0xFFFF_FFFF_0000_0000UL;

    private readonly Lock _writeLock = new();
    private long[] _slots = new long[InitialSlots];
    private DimensionValue[] _values = CreateInitialValues();
    private int _count;

    /// <summary>Number of non-empty values, which is also the highest id assigned.</summary>
    public int Count => Volatile.Read(ref _count);

    public int GetOrAdd(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return Empty;
        }

        ulong hash = Hash64.Compute(utf8);
        int id = Find(Volatile.Read(ref _slots), utf8, hash);
        return id != 0 ? id : AddLocked(utf8, hash);
    }

    public bool TryGetId(ReadOnlySpan<byte> utf8, out int id)
    {
        if (utf8.IsEmpty)
        {
            id = Empty;
            return true;
        }

        ulong hash = Hash64.Compute(utf8);
        id = Find(Volatile.Read(ref _slots), utf8, hash);
        if (id != 0)
        {
            return true;
        }

        lock (_writeLock)
        {
            id = Find(_slots, utf8, hash);
            return id != 0;
        }
    }

    /// <summary>The value as a string, created once when the id was assigned.</summary>
    public string GetString(int id) => GetValue(id).Text;

    public ReadOnlySpan<byte> GetBytes(int id) => GetValue(id).Utf8;

    /// <summary>
    /// Reloads a persisted entry at startup. Ids must arrive in ascending order without gaps; restoring
    /// an id that is already present with the same value is a no-op.
    /// </summary>
    public void Restore(int id, ReadOnlySpan<byte> utf8)
    {
        if (id == Empty)
        {
            if (!utf8.IsEmpty)
            {
                throw new InvalidDataException("Dimension id 0 is reserved for the empty value.");
            }

            return;
        }

        if (utf8.IsEmpty)
        {
            throw new InvalidDataException($"Dimension id {id} has an empty value; only id 0 may.");
        }

        lock (_writeLock)
        {
            if (id <= _count && id > 0)
            {
                if (!_values[id].Utf8.AsSpan().SequenceEqual(utf8))
                {
                    throw new InvalidDataException($"Dimension id {id} is already bound to a different value.");
                }

                return;
            }

            if (id != _count + 1)
            {
                throw new InvalidDataException($"Dimension id {id} restored out of order; expected {_count + 1}.");
            }

            ulong hash = Hash64.Compute(utf8);
            int existing = Find(_slots, utf8, hash);
            if (existing != 0)
            {
                throw new InvalidDataException($"Dimension value restored as id {id} is already id {existing}.");
            }

            Append(utf8, hash);
        }
    }

    /// <summary>Appends copies of the entries with id greater than <paramref name="fromIdExclusive"/>; returns how many.</summary>
    public int CopyNewEntries(int fromIdExclusive, List<(int Id, byte[] Value)> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int count = Count;
        DimensionValue[] values = Volatile.Read(ref _values);
        int added = 0;
        for (int id = Math.Max(fromIdExclusive, 0) + 1; id <= count; id++)
        {
            into.Add((id, values[id].Utf8.AsSpan().ToArray()));
            added++;
        }

        return added;
    }

    private DimensionValue GetValue(int id)
    {
        if ((uint)id > (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "Unknown dimension id.");
        }

        return Volatile.Read(ref _values)[id];
    }

    private int Find(long[] slots, ReadOnlySpan<byte> utf8, ulong hash)
    {
        int mask = slots.Length - 1;
        int i = (int)hash & mask;
        ulong fingerprint = hash & FingerprintMask;
        while (true)
        {
            ulong slot = (ulong)Volatile.Read(ref slots[i]);
            if (slot == 0)
            {
                return 0;
            }

            if ((slot & FingerprintMask) == fingerprint)
            {
                int id = (int)(uint)slot;

                // Read after the slot: the writer published the value array before the slot.
                if (Volatile.Read(ref _values)[id].Utf8.AsSpan().SequenceEqual(utf8))
                {
                    return id;
                }
            }

            i = (i + 1) & mask;
        }
    }

    private int AddLocked(ReadOnlySpan<byte> utf8, ulong hash)
    {
        if (utf8.Length > MaxValueBytes)
        {
            throw new ArgumentException($"Dimension values are limited to {MaxValueBytes} bytes; got {utf8.Length}.", nameof(utf8));
        }

        lock (_writeLock)
        {
            int id = Find(_slots, utf8, hash);
            return id != 0 ? id : Append(utf8, hash);
        }
    }

    /// <summary>Caller holds the lock. Publishes the value, then the slot, then the count.</summary>
    private int Append(ReadOnlySpan<byte> utf8, ulong hash)
    {
        if (utf8.Length > MaxValueBytes)
        {
            throw new InvalidDataException($"Dimension value of {utf8.Length} bytes exceeds {MaxValueBytes}.");
        }

        int id = _count + 1;
        if (id == int.MaxValue)
        {
            throw new InvalidOperationException("The dimension dictionary is full.");
        }

        DimensionValue[] values = _values;
        var value = new DimensionValue(utf8.ToArray(), Encoding.UTF8.GetString(utf8), hash);
        if (id >= values.Length)
        {
            var grown = new DimensionValue[values.Length * 2];
            Array.Copy(values, grown, values.Length);
            grown[id] = value;
            Volatile.Write(ref _values, grown);
        }
        else
        {
            Volatile.Write(ref values[id], value);
        }

        long[] slots = _slots;
        if ((long)(id + 1) * 2 > slots.Length)
        {
            slots = Rehash(slots.Length * 2, id - 1);
            Volatile.Write(ref _slots, slots);
        }

        Insert(slots, hash, id);
        Volatile.Write(ref _count, id);
        return id;
    }

    private long[] Rehash(int size, int existingCount)
    {
        var slots = new long[size];
        DimensionValue[] values = _values;
        for (int id = 1; id <= existingCount; id++)
        {
            Insert(slots, values[id].Hash, id);
        }

        return slots;
    }

    private static void Insert(long[] slots, ulong hash, int id)
    {
        int mask = slots.Length - 1;
        int i = (int)hash & mask;
        while (slots[i] != 0)
        {
            i = (i + 1) & mask;
        }

        Volatile.Write(ref slots[i], (long)((hash & FingerprintMask) | (uint)id));
    }

    private static DimensionValue[] CreateInitialValues()
    {
        var values = new DimensionValue[InitialValues];
        values[Empty] = new DimensionValue([], string.Empty, 0);
        return values;
    }
}
