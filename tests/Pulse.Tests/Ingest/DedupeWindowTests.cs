using Pulse.Ingest;

namespace Pulse.Tests.Ingest;

public class DedupeWindowTests
{
    private const long T0 = 1_700_000_000_000;

    [Fact]
    public void DuplicatesWithinTheHorizonAreRefused()
    {
        var window = new DedupeWindow(TimeSpan.FromMinutes(5), 1_000_000);
        Assert.True(window.TryAdd(1, T0));
        Assert.True(window.TryAdd(2, T0));
        Assert.False(window.TryAdd(1, T0 + 1));
        Assert.False(window.TryAdd(2, T0 + 299_999));
        Assert.True(window.TryAdd(3, T0 + 299_999));
        Assert.Equal(3, window.Count);
    }

    [Fact]
    public void HashZeroIsAnOrdinaryId()
    {
        var window = new DedupeWindow(TimeSpan.FromSeconds(30), 1024);
        Assert.True(window.TryAdd(0, T0));
        Assert.False(window.TryAdd(0, T0 + 10));
        Assert.Equal(1, window.Count);
        Assert.True(window.TryAdd(1, T0 + 100_000));
        Assert.Equal(1, window.Count);
        Assert.True(window.TryAdd(0, T0 + 100_000));
    }

    [Fact]
    public void IdsExpireAfterTheHorizonButNotBefore()
    {
        var horizon = TimeSpan.FromMinutes(5);
        var window = new DedupeWindow(horizon, 1_000_000);
        for (ulong id = 1; id <= 1000; id++)
        {
            Assert.True(window.TryAdd(id, T0 + (long)id));
        }

        // Exactly at the horizon every id is still remembered...
        Assert.False(window.TryAdd(1, T0 + 1 + 300_000));
        Assert.False(window.TryAdd(1000, T0 + 1000 + 300_000));

        // ...and one slot width (horizon / 30) after it, they are gone.
        long later = T0 + 1000 + 300_000 + 10_001;
        Assert.True(window.TryAdd(1, later));
        Assert.Equal(1, window.Count);
        Assert.True(window.TryAdd(500, later));
    }

    [Fact]
    public void ClockSteppingBackStillFindsDuplicatesAndKeepsThem()
    {
        var window = new DedupeWindow(TimeSpan.FromMinutes(5), 1_000_000);
        Assert.True(window.TryAdd(10, T0));
        Assert.True(window.TryAdd(11, T0 - 2_000));
        Assert.False(window.TryAdd(10, T0 - 5_000));
        Assert.False(window.TryAdd(11, T0 + 300_000));
    }

    [Fact]
    public void CapForcesOldestOutAndShrinksEffectiveHorizon()
    {
        var horizon = TimeSpan.FromMinutes(5);
        var window = new DedupeWindow(horizon, 1024);
        Assert.Equal(horizon, window.EffectiveHorizon);

        // 100 ids per 10-second slot: the cap of 1024 is reached after ~100 seconds of arrivals.
        ulong id = 1;
        for (long t = 0; t < 200_000; t += 100)
        {
            Assert.True(window.TryAdd(id++, T0 + t));
        }

        Assert.Equal(1024, window.Count);
        TimeSpan effective = window.EffectiveHorizon;
        Assert.True(effective < horizon);
        Assert.True(effective >= TimeSpan.FromSeconds(80), effective.ToString());

        // The most recent 1024 ids are remembered; older ones were forced out.
        Assert.False(window.TryAdd(id - 1024, T0 + 200_000));
        Assert.True(window.TryAdd(id - 1025, T0 + 200_000));

        // Once time moves past the horizon with little traffic, the full horizon is back.
        Assert.True(window.TryAdd(ulong.MaxValue, T0 + 200_000 + 400_000));
        Assert.Equal(horizon, window.EffectiveHorizon);
    }

    [Fact]
    public void RebuildByReplayMatchesTheLiveWindow()
    {
        var random = new Random(99);
        var horizon = TimeSpan.FromSeconds(60);
        var live = new DedupeWindow(horizon, 100_000);
        var log = new List<(ulong Id, long Arrival)>();
        long now = T0;
        for (int i = 0; i < 20_000; i++)
        {
            now += random.Next(0, 20);
            ulong eventId = (ulong)random.Next(0, 5_000);
            if (live.TryAdd(eventId, now))
            {
                log.Add((eventId, now));
            }
        }

        // After a crash: an empty window replays the logged (accepted) ids from one horizon before the end.
        var rebuilt = new DedupeWindow(horizon, 100_000);
        foreach ((ulong eventId, long arrival) in log)
        {
            if (arrival >= now - (long)horizon.TotalMilliseconds - 20_000)
            {
                Assert.True(rebuilt.TryAdd(eventId, arrival));
            }
        }

        for (int i = 0; i < 2_000; i++)
        {
            now += random.Next(0, 20);
            ulong eventId = (ulong)random.Next(0, 5_000);
            Assert.Equal(live.TryAdd(eventId, now), rebuilt.TryAdd(eventId, now));
        }
    }

    [Fact]
    public void AgreesWithAReferenceModelUnderChurn()
    {
        // A slow but obviously right model: id -> first arrival, forgotten strictly after horizon + one slot.
        var random = new Random(5);
        const long horizonMs = 3_000;
        const long slotMs = horizonMs / 30;
        var window = new DedupeWindow(TimeSpan.FromMilliseconds(horizonMs), 1_000_000);
        var model = new Dictionary<ulong, long>();
        long now = T0;
        for (int i = 0; i < 200_000; i++)
        {
            now += random.Next(0, 3);
            ulong eventId = (ulong)random.NextInt64(0, 20_000) * 0x9E3779B97F4A7C15UL;
            bool added = window.TryAdd(eventId, now);
            if (model.TryGetValue(eventId, out long first))
            {
                long age = now - first;
                if (age <= horizonMs)
                {
                    Assert.False(added);
                }
                else if (age > horizonMs + (2 * slotMs))
                {
                    Assert.True(added);
                }
            }
            else
            {
                Assert.True(added);
            }

            if (added)
            {
                model[eventId] = now;
            }
        }
    }
}
