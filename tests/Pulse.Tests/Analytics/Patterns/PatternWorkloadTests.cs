using System.Buffers;
using Pulse.Analytics;
using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;
using Pulse.Events;

namespace Pulse.Tests.Analytics.Patterns;

/// <summary>
/// Seeded random traffic of many users, streamed through the matchers the way the operator will
/// (global event-time order, watermarks at random moments, idle states dropped), compared with
/// the brute-force reference per user; and the same run cut by a checkpoint and restored.
/// </summary>
public class PatternWorkloadTests
{
    private const long SessionGapMs = 30 * 60_000;

    public static TheoryData<string> Definitions => new()
    {
        BuiltInPatterns.CartAbandonmentJson,
        BuiltInPatterns.PurchaseBurstJson,
        """{"kind": "absence", "first": {"type": "a"}, "absent": {"type": "b"}, "within": "20m"}""",
        """{"kind": "absence", "first": {"type": "a"}, "absent": {"type": "a"}, "within": "45m", "scope": "session"}""",
        """{"kind": "count", "event": {"type": "b"}, "at_least": 3, "within": "5m", "scope": "session"}""",
        """{"kind": "count", "event": {"type": "a"}, "at_least": 2, "within": "1m"}""",
        """{"kind": "sequence", "steps": [{"type": "a"}, {"type": "b"}], "within": "3m"}""",
        """{"kind": "sequence", "steps": [{"type": "page_view"}, {"type": "add_to_cart"}, {"type": "checkout"}, {"type": "purchase"}], "within": "10m", "scope": "session"}""",
        """{"kind": "sequence", "steps": [{"type": "a"}, {"type": "a"}, {"type": "b"}, {"type": "a"}], "within": "20m"}""",
    };

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Streaming_matches_equal_the_brute_force_reference(string json)
    {
        PatternDefinition d = PatternHarness.Parse(json);
        for (int seed = 1; seed <= 3; seed++)
        {
            (List<UserEvent> stream, int users) = Workload(seed, 60, 50);
            var run = new Run(d, seed);
            run.Feed(stream, 0, stream.Count);
            run.Finish();
            for (int u = 0; u < users; u++)
            {
                List<UserEvent> own = stream.FindAll(e => e.Device == u).ConvertAll(run.WithBits);
                List<PatternMatch> expected = ReferenceMatcher.Run(d, run.Masks, own);
                Assert.Equal(expected, run.MatchesOf(u));
            }

            Assert.True(run.Total > 0, $"seed {seed} produced no match of {json}: the workload tests nothing");
        }
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void A_run_restored_from_a_checkpoint_matches_an_uninterrupted_one(string json)
    {
        PatternDefinition d = PatternHarness.Parse(json);
        (List<UserEvent> stream, int users) = Workload(7, 40, 50);
        var whole = new Run(d, 7);
        whole.Feed(stream, 0, stream.Count);
        whole.Finish();

        var first = new Run(d, 7);
        int half = stream.Count / 2;
        first.Feed(stream, 0, half);
        var buffer = new ArrayBufferWriter<byte>();
        first.Save(buffer);

        // A new process: the definition parsed again, a fresh predicate set, states read back.
        var second = new Run(PatternHarness.Parse(json), 7, first);
        second.Load(buffer.WrittenSpan);
        second.Feed(stream, half, stream.Count);
        second.Finish();
        for (int u = 0; u < users; u++)
        {
            var resumed = new List<PatternMatch>(first.MatchesOf(u));
            resumed.AddRange(second.MatchesOf(u));
            Assert.Equal(whole.MatchesOf(u), resumed);
        }
    }

    [Fact]
    public void State_of_another_definition_is_skipped_and_garbage_is_refused()
    {
        PatternHarness h = PatternHarness.For(BuiltInPatterns.PurchaseBurst);
        h.Event(0, 0, 0);
        h.Event(1, 0, 0);
        var buffer = new ArrayBufferWriter<byte>();
        h.State.Write(buffer);
        h.State.Write(buffer);
        Assert.InRange(buffer.WrittenCount, 2 * 20, 2 * 60);

        PatternMatcher other = PatternMatcher.Create(PatternHarness.Parse(BuiltInPatterns.PurchaseBurstJson.Replace("60s", "61s", StringComparison.Ordinal)), new PredicateSet());
        int pos = 0;
        Assert.Null(other.ReadState(buffer.WrittenSpan, ref pos));
        Assert.Equal(buffer.WrittenCount / 2, pos);
        Assert.NotNull(h.Matcher.ReadState(buffer.WrittenSpan, ref pos));
        Assert.Equal(buffer.WrittenCount, pos);

        byte[] bytes = buffer.WrittenSpan[..(buffer.WrittenCount / 2)].ToArray();
        Assert.Throws<InvalidDataException>(() => Read(h.Matcher, bytes[..^1]));
        byte[] version = (byte[])bytes.Clone();
        version[0] = 9;
        Assert.Throws<InvalidDataException>(() => Read(h.Matcher, version));
        byte[] longer = (byte[])bytes.Clone();
        longer[10]--;
        Assert.Throws<InvalidDataException>(() => Read(h.Matcher, longer));
    }

    private static PatternState? Read(PatternMatcher m, byte[] bytes)
    {
        int pos = 0;
        return m.ReadState(bytes, ref pos);
    }

    /// <summary>Users' events in global (time, offset) order; the user is in <see cref="UserEvent.Device"/>.</summary>
    private static (List<UserEvent> Stream, int Users) Workload(int seed, int users, int eventsPerUser)
    {
        var random = new Random(seed);
        string[] types = ["a", "b", "page_view", "add_to_cart", "checkout", "purchase", "other"];
        var all = new List<(long T, int User, int Type, int Page)>();
        for (int u = 0; u < users; u++)
        {
            long t = PatternHarness.T0 + random.Next(0, 600_000);
            int type = 0;
            for (int i = 0; i < eventsPerUser; i++)
            {
                // Runs of one type make bursts and repeats common enough to test.
                type = random.Next(2) == 0 ? type : random.Next(types.Length);
                int r = random.Next(100);
                t += r < 10 ? 0 : r < 60 ? random.Next(1, 20_000) : r < 92 ? random.Next(20_000, 600_000) : random.Next(600_000, 3_600_000);
                all.Add((t, u, type, random.Next(1, 5)));
            }
        }

        all.Sort((x, y) => x.T != y.T ? x.T.CompareTo(y.T) : x.User.CompareTo(y.User));
        var lastTime = new Dictionary<int, long>();
        var sessionStart = new Dictionary<int, long>();
        var stream = new List<UserEvent>();
        for (int i = 0; i < all.Count; i++)
        {
            (long t, int user, int type, int page) = all[i];
            if (!lastTime.TryGetValue(user, out long last) || t - last > SessionGapMs)
            {
                sessionStart[user] = t;
            }

            lastTime[user] = t;
            stream.Add(new UserEvent(t, i, EventKind.Custom, type, page, page * 10, 0, user, random.Next(3) * 1_000_000L, 0, sessionStart[user]));
        }

        return (stream, users);
    }

    /// <summary>The operator's side: one state per user, predicate bits from the event's type, watermarks, idle eviction.</summary>
    private sealed class Run
    {
        private static readonly string[] Types = ["a", "b", "page_view", "add_to_cart", "checkout", "purchase", "other"];

        private readonly PatternMatcher _matcher;
        private readonly ulong[] _bitsByType = new ulong[Types.Length];
        private readonly Dictionary<int, PatternState> _states = [];
        private readonly Dictionary<int, List<PatternMatch>> _matches = [];
        private readonly Random _random;
        private readonly List<PatternMatch> _scratch = [];

        public Run(PatternDefinition d, int seed, Run? before = null)
        {
            var set = new PredicateSet();

            // A different set layout after the restart: bits move, matches must not.
            if (before is not null)
            {
                set.Add(PredicateParser.Parse("""{"type": "unrelated"}""", [])!);
            }

            _matcher = PatternMatcher.Create(d, set);
            Masks = new ulong[d.Predicates.Count];
            for (int p = 0; p < Masks.Length; p++)
            {
                Masks[p] = 1UL << set.IndexOf(d.Predicates[p]);
            }

            for (int t = 0; t < Types.Length; t++)
            {
                for (int p = 0; p < d.Predicates.Count; p++)
                {
                    if (d.Predicates[p].Canonical == $$"""{"type":"{{Types[t]}}"}""")
                    {
                        _bitsByType[t] |= Masks[p];
                    }
                }
            }

            _random = new Random(seed * 31);
        }

        public ulong[] Masks { get; }

        public int Total { get; private set; }

        /// <summary>What the operator's predicate evaluation would set for this event.</summary>
        public UserEvent WithBits(UserEvent e) => e with { Predicates = _bitsByType[e.Type] };

        public void Feed(List<UserEvent> stream, int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                UserEvent e = WithBits(stream[i]);
                if (_random.Next(8) == 0)
                {
                    Watermark(e.TimeMs - 1 - _random.Next(0, 120_000));
                }

                if (!_states.TryGetValue(e.Device, out PatternState? state))
                {
                    _states[e.Device] = state = _matcher.NewState();
                }

                _matcher.OnEvent(state, e, _scratch);
                Collect(e.Device);
            }
        }

        public void Finish() => Watermark(long.MaxValue);

        public List<PatternMatch> MatchesOf(int user) => _matches.TryGetValue(user, out List<PatternMatch>? m) ? m : [];

        public void Save(ArrayBufferWriter<byte> writer)
        {
            var ids = new List<int>(_states.Keys);
            ids.Sort();
            Span<byte> count = writer.GetSpan(4);
            BitConverter.TryWriteBytes(count, ids.Count);
            writer.Advance(4);
            foreach (int id in ids)
            {
                BitConverter.TryWriteBytes(writer.GetSpan(4), id);
                writer.Advance(4);
                _states[id].Write(writer);
            }
        }

        public void Load(ReadOnlySpan<byte> bytes)
        {
            int n = BitConverter.ToInt32(bytes);
            int pos = 4;
            for (int i = 0; i < n; i++)
            {
                int id = BitConverter.ToInt32(bytes[pos..]);
                pos += 4;
                _states[id] = _matcher.ReadState(bytes, ref pos)!;
            }

            Assert.Equal(bytes.Length, pos);
        }

        private void Watermark(long w)
        {
            var idle = new List<int>();
            foreach ((int user, PatternState state) in _states)
            {
                _matcher.OnWatermark(state, w, _scratch);
                Collect(user);
                if (_matcher.IsIdle(state, w))
                {
                    idle.Add(user);
                }
            }

            foreach (int user in idle)
            {
                _states.Remove(user);
            }
        }

        private void Collect(int user)
        {
            if (_scratch.Count == 0)
            {
                return;
            }

            if (!_matches.TryGetValue(user, out List<PatternMatch>? list))
            {
                _matches[user] = list = [];
            }

            list.AddRange(_scratch);
            Total += _scratch.Count;
            _scratch.Clear();
        }
    }
}
